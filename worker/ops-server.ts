import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';

/**
 * The worker's ops listener (WORKER_METRICS_ADDRESS): GET /metrics, /healthz, /readyz.
 * Prometheus metrics come from Temporal's Core runtime, which serves them itself; it binds
 * to a loopback port of its own and this listener passes /metrics through, so operators
 * scrape and probe one address and both the SDK's and the product's metrics (recorded
 * through the SDK's meter) come out of one registry.
 */

/** Histogram buckets for the product's own metrics (Core's defaults are for milliseconds). */
const productBuckets: Record<string, number[]> = {
  export_duration_seconds: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
  export_rows_per_second: [100, 500, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000],
};

/** Runtime telemetry serving Prometheus on `bindAddress` (loopback, behind the ops listener). */
function prometheusTelemetry(bindAddress: string): TelemetryOptions {
  return {
    metrics: {
      prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true, histogramBucketOverrides: productBuckets },
    },
  };
}

/** A loopback port free right now, for Core's exporter (which reports no bound port back). */
async function freeLoopbackPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface OpsChecks {
  /** Scrape URL of Core's exporter. */
  metricsUrl: string;
  /** Each readiness check by name; all true = ready. */
  readiness(): Promise<Record<string, boolean>>;
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

/** Starts the ops listener on `host:port`; resolves once it listens. */
function startOpsServer(host: string, port: number, checks: OpsChecks): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, { error: 'only GET' });
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void checks.readiness().then(
        (results) => {
          const ready = Object.values(results).every(Boolean);
          send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks: results });
        },
        (error: unknown) => send(res, 503, { status: 'not_ready', error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (path === '/metrics') {
      void fetch(checks.metricsUrl, { signal: AbortSignal.timeout(5_000) }).then(
        async (upstream) => {
          res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/plain; version=0.0.4' });
          res.end(await upstream.text());
        },
        (error: unknown) => send(res, 502, { error: `Temporal runtime metrics unavailable: ${error instanceof Error ? error.message : String(error)}` }),
      );
      return;
    }
    send(res, 404, { error: 'not found', hint: 'GET /metrics, /healthz or /readyz' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** `host:port` (IPv6 in brackets) → the pair `listen` takes. */
function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

/**
 * Sets up the ops listener for WORKER_METRICS_ADDRESS (none when unset): the telemetry
 * options for Runtime.install, then `serve` once the workers exist.
 */
export async function workerOps(
  address: string | undefined,
): Promise<{ telemetryOptions?: TelemetryOptions; serve(readiness: OpsChecks['readiness']): Promise<void> }> {
  if (!address) return { serve: async () => {} };
  const corePort = await freeLoopbackPort();
  return {
    telemetryOptions: prometheusTelemetry(`127.0.0.1:${corePort}`),
    async serve(readiness) {
      const { host, port } = splitAddress(address);
      const server = await startOpsServer(host, port, { metricsUrl: `http://127.0.0.1:${corePort}/metrics`, readiness }).catch((error: unknown) => {
        // The operator's to fix (port taken, address not local): say which setting, no stack.
        console.error(`WORKER_METRICS_ADDRESS=${address}: cannot listen (${error instanceof Error ? error.message : String(error)})`);
        process.exit(1);
      });
      // Never the reason the process stays up once the workers have stopped.
      server.unref();
      console.log(`worker metrics and probes on http://${address}/metrics, /healthz, /readyz`);
    },
  };
}
