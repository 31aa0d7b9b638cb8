import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRegistration } from '../../worker/registration';
import { prebuiltBundleDir, workflowBundleFile, workflowCode } from '../../worker/workflow-code';

/**
 * Where the worker's workflow code comes from (issue 10 §1): the compiled worker loads the
 * bundle made at build time and never falls back to bundling with webpack at start; the
 * TypeScript source (dev, tests) bundles on start.
 */
const registration = { queue: 'export', workflows: [], workflowsPath: '/src/worker/workflows/index.ts', activities: () => ({}) } satisfies QueueRegistration;
let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'workflow-code-'));
});
afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

describe('workflow code of a worker', () => {
  it('from the TypeScript source: bundled on start from the workflows path', () => {
    const bundleDir = prebuiltBundleDir(pathToFileURL('/src/worker/index.ts').href);
    expect(bundleDir).toBeUndefined();
    expect(workflowCode(registration, bundleDir)).toEqual({ workflowsPath: registration.workflowsPath });
  });

  it('compiled: the bundle beside it, made at build time', async () => {
    const bundleDir = prebuiltBundleDir(pathToFileURL(path.join(dist, 'index.js')).href);
    expect(bundleDir).toBe(dist);
    const codePath = path.join(dist, workflowBundleFile('export'));
    await writeFile(codePath, '// bundle');
    expect(workflowCode(registration, bundleDir)).toEqual({ workflowBundle: { codePath } });
  });

  it('compiled without its bundle: an error saying to build, never a webpack bundle at start', () => {
    const bundleDir = prebuiltBundleDir(pathToFileURL(path.join(dist, 'missing', 'index.js')).href);
    expect(() => workflowCode(registration, bundleDir)).toThrow(/workflow bundle .* is missing; run `npm run build`/);
  });
});
