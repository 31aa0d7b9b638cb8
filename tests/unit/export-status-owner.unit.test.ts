import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Keeps export-lifecycle.ts the only writer of an export's status: outside it (and the
 * repository it calls), no code calls the repository's status writers or updates the
 * exports table's status itself.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const owners = new Set(['lib/exports/export-lifecycle.ts', 'lib/exports/export.repository.ts']);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(/\.(ts|tsx|mjs)$/.test(e.name) ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

const repositoryWriters =
  /\b(updateExportStatus|insertExport|updateExportProgress)\s*\(|\brepo\.markExportRunning\b|import\s*\{[^}]*\bmarkExportRunning\b[^}]*\}\s*from\s*'[^']*export\.repository'/;
const directStatusWrite = /updateTable\(\s*'exports'\s*\)[\s\S]{0,300}?\bstatus\s*:/;

describe('who writes an export status', () => {
  it('only export-lifecycle.ts, in the app, the worker and the scripts', async () => {
    const files = (await Promise.all(['app', 'lib', 'worker', 'scripts'].map(sourceFiles))).flat();
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const file of files) {
      const path = relative(root, join(root, file));
      if (owners.has(path)) continue;
      const text = await readFile(join(root, file), 'utf8');
      if (repositoryWriters.test(text) || directStatusWrite.test(text)) offenders.push(path);
    }
    expect(offenders).toEqual([]);
  });
});
