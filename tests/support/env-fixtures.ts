import { ConfigError } from '../../lib/env';

/** The three variables without a default: a configuration that parses. */
export const validEnv = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
  S3_BUCKET: 'exports',
};

/** The problems a ConfigError lists; anything else thrown, or nothing, fails the test. */
export function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
