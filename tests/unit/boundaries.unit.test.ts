import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBoundaries } from '../../scripts/check/boundaries';

// A throwaway tree (not under the repository, so tsc, Biome and knip never see it) with one
// import breaking each rule, and the allowed ones beside them.
const root = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
const files: Record<string, string> = {
  'app/page.tsx': "import { listUsers } from '@/lib/users/user.service';\nexport default function Page() { return listUsers; }\n",
  'app/_components/table.tsx':
    "'use client';\nimport { pageSchema } from '@/lib/users/user.contracts';\nimport { useRows } from '../_hooks/use-rows';\nexport const Table = () => [pageSchema, useRows];\n",
  // Reached from a client component: a type-only import of a server module still counts.
  'app/_hooks/use-rows.ts': "import type { UserRow } from '@/lib/users/user.service';\nexport const useRows = (): UserRow[] => [];\n",
  'lib/users/user.contracts.ts': 'export const pageSchema = 1;\n',
  'lib/users/user.service.ts':
    "import { withRoute } from '../http/with-route';\nimport { cursor } from '../pagination/cursor';\nexport type UserRow = { id: string };\nexport const listUsers = [withRoute, cursor];\n",
  'lib/pagination/cursor.ts': "import { registrations } from '../../worker/registration';\nexport const cursor = registrations;\n",
  'lib/http/with-route.ts': "import { cursor } from '../pagination/cursor';\nexport const withRoute = cursor;\n",
  'worker/registration.ts': "import { listUsers } from '../lib/users/user.service';\nexport const registrations = [listUsers];\n",
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  writeFileSync(path.join(root, name), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkBoundaries', () => {
  it('reports each broken rule once, at the import that breaks it', () => {
    const found = checkBoundaries(root).map(({ file, rule }) => `${rule} ${file}`);
    expect(found.sort()).toEqual([
      'client-imports-server-lib app/_hooks/use-rows.ts',
      'lib-imports-app-or-worker lib/pagination/cursor.ts',
      'lib-imports-http lib/users/user.service.ts',
    ]);
  });

  it('names the client component a server module is reached from', () => {
    const client = checkBoundaries(root).find((v) => v.rule === 'client-imports-server-lib');
    expect(client?.message).toContain('app/_components/table.tsx → app/_hooks/use-rows.ts');
  });

  it('finds nothing in this repository', () => {
    expect(checkBoundaries(fileURLToPath(new URL('../..', import.meta.url)))).toEqual([]);
  });
});
