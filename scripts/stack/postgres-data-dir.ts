import { existsSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unreachableAncestor } from './postgres-package';

/**
 * Where Postgres keeps its data: `<dataDir>/postgres`. As root, Postgres runs as the
 * `postgres` user; when that user cannot reach `dataDir` (`npm run dev` in a checkout under
 * /root keeps .data there), the data lives in a root-owned directory under the temp dir
 * instead, and `<dataDir>/postgres` is a symlink to it, so later starts (and the leftover
 * check, which reads postmaster.pid through it) find it again.
 */
export async function postgresDataDir(dataDir: string, runAs: { uid: number; gid: number } | undefined, log: (line: string) => void): Promise<string> {
  const link = path.join(dataDir, 'postgres');
  if (!runAs) return link;
  const blocked = await unreachableAncestor(link, runAs);
  if (!blocked) return link;

  const current = await readlink(link).catch(() => undefined);
  if (current && (await isRootOwnedStage(current))) return current;
  if (!current && existsSync(link)) {
    throw new Error(
      `Postgres runs as the postgres user (we are root), which cannot enter ${blocked} to reach the data in ${link}: move that directory away to start afresh, or \`chmod o+x ${blocked}\``,
    );
  }
  // A dangling link (the temp dir was cleaned) or one we did not make: start afresh.
  await rm(link, { force: true });
  // A fresh root-owned parent: nobody else can pre-create or swap what Postgres gets.
  const parent = await mkdtemp(path.join(tmpdir(), 'export-console-pgdata-'));
  await chmod(parent, 0o711);
  const pgdata = path.join(parent, 'postgres');
  const stillBlocked = await unreachableAncestor(pgdata, runAs);
  if (stillBlocked) {
    await rm(parent, { recursive: true, force: true });
    throw new Error(
      `Postgres runs as the postgres user (we are root), which can reach neither ${blocked} nor ${stillBlocked} (the temp dir): run as a normal user, or \`chmod o+x ${blocked}\``,
    );
  }
  await symlink(pgdata, link);
  log(`Postgres data staged in ${pgdata} (linked from ${link}): the postgres user cannot enter ${blocked}`);
  return pgdata;
}

async function isRootOwnedStage(pgdata: string): Promise<boolean> {
  try {
    const parent = await lstat(path.dirname(pgdata));
    return parent.isDirectory() && parent.uid === 0 && (parent.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
