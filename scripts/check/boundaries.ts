import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSync } from 'oxc-parser';

/**
 * The layers point down (docs in README, "Checks"):
 * - lib/ never imports app/ or worker/;
 * - only lib/http imports lib/http: the domain owns scope, pagination and error classification;
 * - client code (every module a 'use client' file under app/ reaches) takes from lib/ only
 *   `*.contracts` modules. A type-only import counts too: shapes the browser shares with the
 *   server belong in a contracts file, and a server module's types drag its imports into review.
 * Imports are read with oxc-parser (TypeScript 7 has no JS API); `@/` is the repository root.
 */
export interface Violation {
  file: string;
  specifier: string;
  rule: 'lib-imports-app-or-worker' | 'lib-imports-http' | 'client-imports-server-lib';
  message: string;
}

interface Edge {
  specifier: string;
  target: string | undefined;
}

const sourceExtensions = ['.ts', '.tsx', '.mts', '.mjs'];
const scannedDirs = ['app', 'lib', 'worker'];

function listSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : listSources(full);
    return sourceExtensions.some((ext) => name.endsWith(ext)) && !/\.d\.m?ts$/.test(name) ? [full] : [];
  });
}

function resolveImport(root: string, fromFile: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('@/')) base = path.join(root, specifier.slice(2));
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(fromFile), specifier);
  else return undefined; // a package
  for (const candidate of [base, ...sourceExtensions.map((ext) => base + ext), path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function readImports(root: string, file: string, source: string): Edge[] {
  const { module } = parseSync(file, source);
  const specifiers = [
    ...module.staticImports.map((entry) => entry.moduleRequest.value),
    ...module.staticExports.flatMap((entry) => entry.entries.flatMap((e) => (e.moduleRequest ? [e.moduleRequest.value] : []))),
    // import('…') with a literal argument; a computed one cannot be checked and is not used here.
    ...module.dynamicImports.flatMap(({ moduleRequest }) => {
      const literal = /^(['"`])([^'"`]+)\1$/.exec(source.slice(moduleRequest.start, moduleRequest.end).trim());
      return literal ? [literal[2]!] : [];
    }),
  ];
  return [...new Set(specifiers)].map((specifier) => ({ specifier, target: resolveImport(root, file, specifier) }));
}

const isClientEntry = (source: string) => /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use client\1/.test(source);

export function checkBoundaries(root: string): Violation[] {
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const files = scannedDirs.flatMap((dir) => listSources(path.join(root, dir)));
  const edges = new Map<string, Edge[]>();
  const sources = new Map<string, string>();
  const edgesOf = (file: string): Edge[] => {
    let found = edges.get(file);
    if (!found) {
      const source = sources.get(file) ?? readFileSync(file, 'utf8');
      sources.set(file, source);
      found = readImports(root, file, source);
      edges.set(file, found);
    }
    return found;
  };
  const violations: Violation[] = [];

  for (const file of files) {
    const from = rel(file);
    if (!from.startsWith('lib/')) continue;
    for (const { specifier, target } of edgesOf(file)) {
      if (!target) continue;
      const to = rel(target);
      if (/^(app|worker)\//.test(to)) {
        violations.push({ file: from, specifier, rule: 'lib-imports-app-or-worker', message: `${from} imports ${to}: lib/ must not import app/ or worker/` });
      } else if (to.startsWith('lib/http/') && !from.startsWith('lib/http/')) {
        violations.push({
          file: from,
          specifier,
          rule: 'lib-imports-http',
          message: `${from} imports ${to}: only lib/http may import lib/http (move what the domain needs out of it)`,
        });
      }
    }
  }

  // Client code: every module reachable from a 'use client' file. Stop at a server module of lib/
  // (reported once, at the edge that reaches it); walk on through contracts, which must stay clean too.
  const seeds = files.filter((file) => rel(file).startsWith('app/') && isClientEntry(sources.get(file) ?? readFileSync(file, 'utf8')));
  const reachedFrom = new Map<string, string | undefined>(seeds.map((seed) => [seed, undefined]));
  const queue = [...seeds];
  const reported = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const { specifier, target } of edgesOf(file)) {
      if (!target || !sourceExtensions.some((ext) => target.endsWith(ext))) continue;
      const to = rel(target);
      if (to.startsWith('lib/') && !/\.contracts\.tsx?$/.test(to)) {
        const key = `${rel(file)}→${to}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const chain: string[] = [];
        for (let at: string | undefined = file; at; at = reachedFrom.get(at)) chain.unshift(rel(at));
        violations.push({
          file: rel(file),
          specifier,
          rule: 'client-imports-server-lib',
          message: `${rel(file)} imports ${to}, which is not a *.contracts module: client code (${chain.join(' → ')}) may take only contracts from lib/`,
        });
        continue;
      }
      if (!reachedFrom.has(target)) {
        reachedFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return violations;
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const root = path.resolve(import.meta.dirname, '../..');
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(`✗ [${v.rule}] ${v.message} (import '${v.specifier}')`);
  console.log(violations.length === 0 ? 'import boundaries hold' : `${violations.length} import boundary violation(s)`);
  process.exit(violations.length === 0 ? 0 : 1);
}
