/**
 * Runs once when the web server starts (Next's instrumentation hook). It checks the web
 * configuration so that a bad deployment refuses to start instead of answering 500 to
 * every request, then starts OpenTelemetry tracing when configured. server.mjs waits for
 * the verdict through the boot handshake below.
 */
interface BootHandshake {
  ready(): void;
  failed(message: string): void;
}

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const boot = (globalThis as Record<symbol, BootHandshake | undefined>)[Symbol.for('export-console.boot')];
  try {
    const { webEnv } = await import('./lib/env');
    webEnv();
    const { startTracing, tracingEnabled } = await import('./lib/telemetry/tracing');
    // Before any request: Next's own request spans and the Temporal client's go to this provider.
    if (tracingEnabled()) {
      const tracing = startTracing('export-console-web');
      // server.mjs flushes the last spans through this on SIGTERM.
      (globalThis as Record<symbol, unknown>)[Symbol.for('export-console.flush-traces')] = tracing.shutdown;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Under server.mjs, report and let it exit with just the list of problems; under a
    // bare `next start`, throwing at least makes every request fail closed.
    if (boot) return boot.failed(message);
    throw error;
  }
  boot?.ready();
}
