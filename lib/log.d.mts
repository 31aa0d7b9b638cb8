import type { Logger } from 'pino';

export type { Logger };
export declare function createLogger(service: string, env?: Record<string, string | undefined>): Logger;
