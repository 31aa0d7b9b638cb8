import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/env';
import { workerDeploymentOptions } from '../../worker/deployment-version';

describe('worker deployment versioning from env', () => {
  it('is off when neither variable is set', () => {
    expect(workerDeploymentOptions({})).toBeUndefined();
  });

  it('pins workflows to the build when both are set', () => {
    expect(workerDeploymentOptions({ WORKER_DEPLOYMENT_NAME: 'export-console', WORKER_BUILD_ID: '2026-12-01.1' })).toEqual({
      version: { deploymentName: 'export-console', buildId: '2026-12-01.1' },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'PINNED',
    });
  });

  it.each([
    [{ WORKER_DEPLOYMENT_NAME: 'export-console' }, /WORKER_BUILD_ID is required when WORKER_DEPLOYMENT_NAME is set/],
    [{ WORKER_BUILD_ID: 'abc' }, /WORKER_DEPLOYMENT_NAME is required when WORKER_BUILD_ID is set/],
  ])('refuses half a pair (%o) with a config error naming the missing one', (env, message) => {
    expect(() => workerDeploymentOptions(env)).toThrow(ConfigError);
    expect(() => workerDeploymentOptions(env)).toThrow(message);
  });
});
