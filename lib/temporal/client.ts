import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { sharedEnv } from '../env';
import { tracingEnabled } from '../telemetry/tracing';
import { connectTemporal } from './connection';

/**
 * One Temporal client per process. Cached on globalThis so Next.js dev reloads reuse the
 * connection instead of opening a new one per edit. A failed connect is not cached, so
 * the next request tries again once Temporal is back.
 */
const cache = globalThis as typeof globalThis & { __exportConsoleTemporal?: Promise<Client> };

export function getTemporalClient(): Promise<Client> {
  if (!cache.__exportConsoleTemporal) {
    const env = sharedEnv();
    // Traced: workflow starts become StartWorkflow spans under the request's span and carry
    // its trace context to the worker (RunWorkflow, RunActivity) in the workflow's headers.
    const interceptors = tracingEnabled() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
    const pending = connectTemporal(env).then((connection) => new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, interceptors }));
    pending.catch(() => {
      if (cache.__exportConsoleTemporal === pending) cache.__exportConsoleTemporal = undefined;
    });
    cache.__exportConsoleTemporal = pending;
  }
  return cache.__exportConsoleTemporal;
}

/**
 * Longer than any call's deadline (5 s for a start or cancel, 3 s for a probe), so calls
 * that other requests already made on a dropped client end on their own first.
 */
const staleClientGraceMs = 30_000;

/**
 * Drops the cached client after Temporal proved unreachable, so the next request dials a
 * fresh connection instead of waiting out a broken channel's reconnect backoff. The old
 * connection is closed only after a grace period: concurrent requests still hold it, and
 * one request's failed call must not fail theirs (closed under a call, grpc-js even throws
 * out of band).
 */
export function resetTemporalClient(): void {
  const stale = cache.__exportConsoleTemporal;
  cache.__exportConsoleTemporal = undefined;
  if (!stale) return;
  setTimeout(() => void stale.then((client) => client.connection.close()).catch(() => {}), staleClientGraceMs).unref();
}
