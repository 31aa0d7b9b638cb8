import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { getTemporalClient } from '../../lib/temporal/client';
import { temporalUnavailable } from '../../lib/temporal/start-workflow';

/**
 * The web process shares one Temporal client between requests. A request whose call fails
 * drops it (temporalUnavailable) so the next request dials afresh; other requests already
 * holding it must still get their answers. It used to be closed at once, failing theirs.
 */
const held: Client[] = [];

afterAll(async () => {
  for (const client of held) await client.connection.close().catch(() => {});
});

describe('the shared Temporal client', () => {
  it("one request's failed call does not close the connection concurrent requests hold", async () => {
    const client = await getTemporalClient();
    held.push(client);
    // Requests holding the client: calls under way, and one more each still to make.
    const underWay = Array.from({ length: 5 }, () => client.workflowService.getSystemInfo({}));
    // Meanwhile another request's call failed, and the service turned that into its 503.
    expect(temporalUnavailable(new Error('one call failed')).code).toBe('unavailable');
    await nextTurn();

    await expect(Promise.all(underWay)).resolves.toHaveLength(5);
    await expect(Promise.all(Array.from({ length: 5 }, () => client.workflowService.getSystemInfo({})))).resolves.toHaveLength(5);
    // The next request dials a client of its own.
    const next = await getTemporalClient();
    held.push(next);
    expect(next).not.toBe(client);
    await expect(next.workflowService.getSystemInfo({})).resolves.toBeDefined();
  });
});
