import { pino } from 'pino';

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * The process's structured logger: one JSON object per line on stdout, at LOG_LEVEL (default
 * info). Lines carry ids (export, workflow, tenant, attempt), never emails or names.
 * The processes write JSON even in development: `npm run dev` turns it into text (pino-pretty).
 * Plain JS so that server.mjs, which runs without a TypeScript loader, logs the same way.
 */
export function createLogger(service, env = process.env) {
  const wanted = (env.LOG_LEVEL ?? 'info').toLowerCase();
  const level = levels.includes(wanted) ? wanted : 'info';
  const logger = pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Workflow and activity lines carry failures as `error`; pino serializes only `err` by default.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  });
  if (level !== wanted) logger.warn(`LOG_LEVEL=${env.LOG_LEVEL} is not one of ${levels.join(', ')}; logging at info`);
  return logger;
}
