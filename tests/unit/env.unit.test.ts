import { describe, expect, it } from 'vitest';
import { parseEnv, sharedEnvSchema, webEnvSchema } from '../../lib/env';
import { problemsOf, validEnv as valid } from '../support/env-fixtures';

describe('configuration', () => {
  it('applies defaults to a minimal valid environment', () => {
    const env = parseEnv(sharedEnvSchema, valid);
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.EXPORT_LINK_TTL_SECONDS).toBe(300);
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
    expect(env.WORKER_MAX_CONCURRENT_ACTIVITIES).toBe(4);
  });

  it('coerces numbers and booleans from strings', () => {
    const env = parseEnv(sharedEnvSchema, { ...valid, EXPORT_LINK_TTL_SECONDS: '60', S3_FORCE_PATH_STYLE: 'true', TEMPORAL_TLS: '1' });
    expect(env.EXPORT_LINK_TTL_SECONDS).toBe(60);
    expect(env.S3_FORCE_PATH_STYLE).toBe(true);
    expect(env.TEMPORAL_TLS).toBe(true);
  });

  it('lists every bad variable at once, naming each', () => {
    const problems = problemsOf(() => parseEnv(sharedEnvSchema, { DATABASE_URL: 'mysql://x', EXPORT_LINK_TTL_SECONDS: '-5', S3_FORCE_PATH_STYLE: 'yes' }));
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_BUCKET', 'EXPORT_LINK_TTL_SECONDS', 'S3_FORCE_PATH_STYLE']));
    expect(problems).toContain('TEMPORAL_ADDRESS is required');
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toMatch(/postgres:\/\//);
  });

  it('treats empty strings as unset so defaults apply', () => {
    const env = parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_NAMESPACE: '' });
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
  });

  it('web configuration requires a long auth secret and caps the session at 8 hours', () => {
    const problems = problemsOf(() => parseEnv(webEnvSchema, { ...valid, NEXTAUTH_SECRET: 'short', SESSION_MAX_AGE_SECONDS: '86400' }));
    expect(problems.find((p) => p.startsWith('NEXTAUTH_SECRET'))).toMatch(/32 characters/);
    expect(problems.some((p) => p.startsWith('SESSION_MAX_AGE_SECONDS'))).toBe(true);
  });

  it('the error message tells where to look', () => {
    expect(() => parseEnv(sharedEnvSchema, {})).toThrow(/\.env\.example/);
  });
});
