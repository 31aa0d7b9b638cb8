import { type LogLevel, type LogMetadata, makeTelemetryFilterString, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from '../lib/log.mjs';

/**
 * Temporal's logger interface over pino, for Runtime.install: workflow `log` and activity
 * `Context.current().log` lines arrive with the SDK's attributes (workflow id, run id,
 * activity type, attempt) plus the export ids (log-attributes.ts). The SDK's own INFO chatter
 * (webpack's banner, "Workflow bundle created", worker state changes) is demoted to debug.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    const component = meta.sdkComponent;
    const chatter = level === 'INFO' && component !== 'workflow' && component !== 'activity';
    const pinoLevel = chatter ? 'debug' : (level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error');
    // The SDK's own timestamp sits under a symbol key, which JSON leaves out; pino stamps the line.
    // An activity's task token completes the activity for whoever holds it: it stays out of logs.
    const { taskToken: _secret, ...fields } = meta;
    logger[pinoLevel](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * For Runtime.install's telemetryOptions.logging: the Rust core's own log lines (WARN and
 * up) go through the same logger instead of stderr in the core's text format.
 */
export const forwardedCoreLogs = { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }) };
