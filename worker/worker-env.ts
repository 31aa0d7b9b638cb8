import { devStackStateFile, findDevStack } from '../lib/dev-stack-state';
import { ConfigError, parseEnv, sharedEnvSchema, type SharedEnv } from '../lib/env';
import { workerDeploymentOptions } from './deployment-version';

/** Any of these set means someone configured this worker; then no local stack is looked for. */
const configuredBy = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'S3_BUCKET'] as const;

/**
 * The worker's configuration: the environment, or, when it names no service at all, the
 * local stack that `npm run dev` / `npm run stack` runs from `dataDir` (so a second worker
 * started by hand joins it). Throws one ConfigError that says what to do.
 */
export function workerEnv(source: Record<string, string | undefined>, dataDir: string, log: (line: string) => void): SharedEnv {
  if (configuredBy.some((name) => source[name])) return checked(parseEnv(sharedEnvSchema, source));
  const found = findDevStack(dataDir);
  if (found && 'state' in found) {
    log(`no service variables set: using the local stack of pid ${found.state.pid} (${found.file})`);
    // Mail links point at the dev web server `npm run dev` starts beside the stack.
    const appUrl = `http://localhost:${source.PORT ?? 3000}`;
    return checked(parseEnv(sharedEnvSchema, { APP_URL: appUrl, ...found.state.env, ...source }));
  }
  const why = found
    ? `the local stack recorded in ${found.file} (pid ${found.stale.pid}) is no longer running`
    : `no local stack is running (no ${devStackStateFile(dataDir)})`;
  throw new ConfigError([`${configuredBy.join(', ')} are unset and ${why}: start \`npm run dev\` or \`npm run stack\` in this checkout, or set the variables`]);
}

/** Settings that only mean something together are checked here, so a bad pair stops the start with the list. */
function checked(env: SharedEnv): SharedEnv {
  workerDeploymentOptions(env);
  return env;
}
