import { describe, expect, it } from 'vitest';
import { ConfigError, devSecretPrefix, parseEnv, webEnvSchema } from '../../lib/env';
import { appEnv } from '../../scripts/lib/app-env';

// What a production deployment must not get away with (issue 9 §5, review H2 / M4).
const services = {
  DATABASE_URL: 'postgres://u:p@db.internal:5432/db',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  S3_BUCKET: 'exports',
};
const production = {
  ...services,
  NODE_ENV: 'production',
  NEXTAUTH_SECRET: 'a'.repeat(43),
  NEXTAUTH_URL: 'https://exports.example.com',
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(webEnvSchema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('production web configuration', () => {
  it('accepts a real secret and an https URL', () => {
    expect(problemsOf(production)).toEqual([]);
  });

  it('refuses the development secret that npm run dev publishes', () => {
    const devSecret = appEnv({}, 'http://localhost:3000').NEXTAUTH_SECRET ?? '';
    expect(devSecret.startsWith(devSecretPrefix)).toBe(true);
    expect(problemsOf({ ...production, NEXTAUTH_SECRET: devSecret })).toEqual([expect.stringMatching(/^NEXTAUTH_SECRET .*development value/)]);
  });

  it('refuses a missing or short secret', () => {
    expect(problemsOf({ ...production, NEXTAUTH_SECRET: undefined })).toEqual(['NEXTAUTH_SECRET is required']);
    expect(problemsOf({ ...production, NEXTAUTH_SECRET: 'x'.repeat(31) })).toEqual([expect.stringMatching(/^NEXTAUTH_SECRET .*32 characters/)]);
  });

  it('requires NEXTAUTH_URL, over https unless the host is loopback', () => {
    expect(problemsOf({ ...production, NEXTAUTH_URL: undefined })).toEqual([expect.stringMatching(/^NEXTAUTH_URL is required/)]);
    expect(problemsOf({ ...production, NEXTAUTH_URL: 'http://exports.example.com' })).toEqual([expect.stringMatching(/^NEXTAUTH_URL must be https/)]);
    // A look-alike host is not loopback.
    expect(problemsOf({ ...production, NEXTAUTH_URL: 'http://localhost.evil.com' })).toHaveLength(1);
    for (const url of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      expect(problemsOf({ ...production, NEXTAUTH_URL: url }), url).toEqual([]);
    }
  });

  it('lists every problem at once, even when other variables are bad too', () => {
    const problems = problemsOf({ NODE_ENV: 'production', NEXTAUTH_SECRET: `${devSecretPrefix}${'x'.repeat(32)}`, NEXTAUTH_URL: 'http://exports.example.com' });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'NEXTAUTH_SECRET', 'NEXTAUTH_URL', 'S3_BUCKET', 'TEMPORAL_ADDRESS']);
  });

  it('leaves development alone: the dev secret and no URL are fine there', () => {
    const dev = { ...services, ...appEnv({}, 'http://localhost:3000'), NEXTAUTH_URL: undefined };
    expect(problemsOf({ ...dev, NODE_ENV: 'development' })).toEqual([]);
    expect(problemsOf(dev)).toEqual([]);
  });
});
