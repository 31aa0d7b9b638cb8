import { fileURLToPath } from 'node:url';
import { startStack } from './stack/index';
import { appEnv, prepareDatabase } from './lib/app-env';
import { spawnChild, type Child } from './lib/child-process';
import { supervise, type Supervised } from './lib/supervise';
import { demoAdmins, demoPassword } from '../lib/db/demo-data';

/**
 * `npm run dev`: the embedded stack (or the external services the environment names),
 * migrations, the demo seed (only into a database the stack created), the dev web server
 * (server.mjs --dev, on 127.0.0.1 unless HOST says otherwise) and the worker (from source,
 * restarted when it dies or its code changes). Ctrl-C stops everything it started.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const appPort = Number(process.env.PORT ?? 3000);
const host = process.env.HOST;
const urlHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
const appUrl = `http://${urlHost}:${appPort}`;
const children: Child[] = [];
let worker: Supervised | undefined;
let stopping = false;

// Checked before anything starts: external services need a real session secret.
let authEnv: Record<string, string>;
try {
  authEnv = appEnv(process.env, appUrl);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const stack = await startStack({ dataDir: `${root}.data`, env: process.env, log: (line) => console.log(`[stack] ${line}`) });

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping…');
    await Promise.all([...children.map((child) => child.stop()), worker?.stop()]);
    await stack.stop();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

/** Child output on the matching console stream, each line prefixed with the child's name. */
const prefixed = (name: string) => (line: string, stream: 'stdout' | 'stderr') => (stream === 'stdout' ? console.log : console.error)(`[${name}] ${line}`);

function start(name: string, command: string, args: string[], env: Record<string, string | undefined>): void {
  // The 25 s grace dev has always given its children (server.mjs itself needs about 5 s).
  const child = spawnChild({ name, command, args, cwd: root, env, onLine: prefixed(name), stopGraceMs: 25_000 });
  void child.exited.then(({ code, signal, error }) => {
    if (stopping) return;
    console.error(`[${name}] ${error ? `could not be started: ${error.message}` : `exited (${signal ?? code})`}; stopping everything`);
    void shutdown(1);
  });
  children.push(child);
}

try {
  console.log(`[db] ${await prepareDatabase(stack.env.DATABASE_URL!, { seedDemo: stack.embedded.postgres })}`);
} catch (error) {
  console.error(`[db] ${error instanceof Error ? error.message : error}`);
  await shutdown(1);
}

const env = { ...process.env, ...stack.env, ...authEnv };
start('web', process.execPath, ['server.mjs', '--dev'], { ...env, PORT: String(appPort) });
// The worker runs from source in one process (node + tsx's loader): a `kill -9` of it is
// seen here and it is restarted, as it is on a change under worker/ or lib/.
worker = supervise({
  name: 'worker',
  command: process.execPath,
  args: ['--import', 'tsx', 'worker/index.ts'],
  cwd: root,
  env,
  watch: [`${root}worker`, `${root}lib`],
  log: (line) => console.log(`[dev] ${line}`),
  output: prefixed('worker'),
});

const logins = stack.embedded.postgres
  ? demoAdmins.map((a) => `    ${a.email.padEnd(20)} ${a.role.padEnd(7)} password ${demoPassword}`).join('\n')
  : '    none: DATABASE_URL is external, so no demo data was written (npm run db:seed -- --demo adds it)';
console.log(`
  Export Console        ${appUrl}
  Temporal Web UI       ${stack.urls.temporalUi ?? (stack.temporalProfile === 'server' ? '(none with the real server)' : '(external Temporal)')}
  Mailpit (mail) UI     ${stack.urls.mailpitUi ?? (stack.env.SMTP_URL ? '(external SMTP)' : '(no SMTP)')}
  S3 endpoint           ${stack.urls.s3 ?? stack.env.S3_ENDPOINT ?? '(AWS S3)'}
  Demo logins:
${logins}
  Ctrl-C stops everything.
`);
