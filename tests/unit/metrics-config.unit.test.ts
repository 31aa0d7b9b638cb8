import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, sharedEnvSchema, webEnvSchema } from '../../lib/env';
import { routeLabeller } from '../../lib/metrics/web-metrics.mjs';

const valid = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', TEMPORAL_ADDRESS: '127.0.0.1:7233', S3_BUCKET: 'exports' };

// As in Next's .next/routes-manifest.json.
const manifest = {
  staticRoutes: [
    { page: '/', regex: '^/(?:/)?$' },
    { page: '/api/health/live', regex: '^/api/health/live(?:/)?$' },
  ],
  dynamicRoutes: [
    { page: '/api/exports/[id]', regex: '^/api/exports/([^/]+?)(?:/)?$' },
    { page: '/api/users/[userId]/exports', regex: '^/api/users/([^/]+?)/exports(?:/)?$' },
  ],
};

describe('route labels for HTTP metrics', () => {
  const label = routeLabeller(manifest);

  it('labels a request with its route template, never the ids in its path or its query', () => {
    expect(label('/api/users/0b7c6f1e-2f5c-4d0e-9a51-8f4e7f3a2b10/exports?x=1')).toBe('/api/users/[userId]/exports');
    expect(label('/api/exports/anything')).toBe('/api/exports/[id]');
    expect(label('/api/health/live')).toBe('/api/health/live');
    expect(label('/')).toBe('/');
  });

  it('folds build assets into /_next and every unknown path into one label', () => {
    expect(label('/_next/static/chunks/abc123.js')).toBe('/_next');
    expect(label('/wp-login.php')).toBe('other');
    expect(label('/api/users/x/exports/extra')).toBe('other');
    expect(routeLabeller(undefined)('/api/health/live')).toBe('other');
  });
});

describe('metrics addresses', () => {
  it('takes host:port for the worker and web listeners, unset by default', () => {
    expect(parseEnv(sharedEnvSchema, valid).WORKER_METRICS_ADDRESS).toBeUndefined();
    expect(parseEnv(sharedEnvSchema, { ...valid, WORKER_METRICS_ADDRESS: '0.0.0.0:9464' }).WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    expect(parseEnv(sharedEnvSchema, { ...valid, WORKER_METRICS_ADDRESS: '[::]:9464' }).WORKER_METRICS_ADDRESS).toBe('[::]:9464');
  });

  it('refuses a bare port or a URL, saying the expected shape', () => {
    for (const bad of ['9464', 'http://0.0.0.0:9464', '0.0.0.0']) {
      let problems: string[] = [];
      try {
        parseEnv(webEnvSchema, { ...valid, NEXTAUTH_SECRET: 'x'.repeat(32), WEB_METRICS_ADDRESS: bad });
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems).toEqual(['WEB_METRICS_ADDRESS must be host:port, e.g. 0.0.0.0:9464']);
    }
  });
});
