import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../scripts/stack/index';
import { workerOps } from '../../worker/ops-server';

describe('worker ops listener', () => {
  it('is off without an address: no telemetry options, nothing served', async () => {
    const ops = await workerOps(undefined);
    expect(ops.telemetryOptions).toBeUndefined();
  });

  it('serves /healthz always, /readyz from the checks, and a clear 502 when the runtime exporter is not there', async () => {
    const port = await findFreePort();
    let checks = { polling: true, database: true, temporal: true };
    const ops = await workerOps(`127.0.0.1:${port}`);
    const metricsOptions = ops.telemetryOptions?.metrics as { prometheus: { bindAddress: string } } | undefined;
    const bind = metricsOptions?.prometheus.bindAddress;
    expect(bind).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(bind).not.toBe(`127.0.0.1:${port}`);
    await ops.serve(async () => checks);
    const base = `http://127.0.0.1:${port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks }]);
    checks = { ...checks, database: false };
    const notReady = await fetch(`${base}/readyz`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'not_ready', checks }]);

    // No Runtime was installed with these options here, so nothing listens on the exporter's port.
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(502);
    expect(((await metrics.json()) as { error: string }).error).toMatch(/^Temporal runtime metrics unavailable/);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});
