import { randomBytes } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedEnv } from '../../lib/env';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { exportSearchAttributeKeys } from '../../lib/temporal/search-attributes';
import { ensureSearchAttributes, searchAttributeCreateCommand } from '../../worker/search-attributes-check';

/**
 * The worker makes sure the namespace has the export search attributes before it polls: on
 * a namespace without them every export would hang at its first status upsert.
 */
const env = sharedEnv();
let connection: NativeConnection;

beforeAll(async () => {
  connection = await NativeConnection.connect(temporalConnectionOptions(env));
});

afterAll(async () => {
  await connection?.close();
});

describe('export search attributes', () => {
  it('the embedded dev server has them registered at start', async () => {
    expect(await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE)).toEqual({ added: [] });
  });

  it('a namespace without them gets them from the worker, once', async () => {
    const namespace = `sa-test-${randomBytes(4).toString('hex')}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // A new namespace takes a moment to reach the frontend's cache.
    await expect
      .poll(
        async () =>
          await connection.workflowService.describeNamespace({ namespace }).then(
            () => true,
            () => false,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const first = await ensureSearchAttributes(connection, namespace);
    expect(first.added.sort()).toEqual(exportSearchAttributeKeys.map((k) => k.name).sort());
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of exportSearchAttributeKeys) expect(customAttributes?.[key.name]).toBeDefined();
    expect(await ensureSearchAttributes(connection, namespace)).toEqual({ added: [] });
  });

  it('the command the worker prints when it may not add them names every attribute', () => {
    const command = searchAttributeCreateCommand('prod');
    expect(command).toMatch(/^temporal operator search-attribute create --namespace prod /);
    for (const key of exportSearchAttributeKeys) expect(command).toContain(`--name ${key.name} --type Keyword`);
  });
});
