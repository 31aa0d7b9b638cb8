/** Which side of the pipeline had stopped moving when the watchdog fired. */
export type StalledOn = 'storage' | 'database';

/**
 * An export attempt that moved no row and no ZIP byte for the stall timeout. A hung COPY or
 * a stopped S3 gateway otherwise holds the attempt (its Postgres client and buffers) for as
 * long as the socket retries go on, while the S3 requests' heartbeats keep Temporal waiting.
 */
export class ExportStalledError extends Error {
  override readonly name = 'ExportStalledError';
  constructor(
    readonly stalledOn: StalledOn,
    readonly idleMs: number,
  ) {
    super(`The export made no progress for ${Math.round(idleMs / 1000)} s while waiting on ${stalledOn === 'storage' ? 'S3' : 'Postgres'}`);
  }
}

/**
 * Aborts `signal` once `moved()` was not called for `timeoutMs`. `stalledOn()` is asked at
 * that moment which side held the pipeline up. Checks at a fraction of the timeout, so it
 * fires within about 1.25 × `timeoutMs` of the last movement.
 */
export function startStallWatchdog(options: { timeoutMs: number; stalledOn: () => StalledOn }): {
  signal: AbortSignal;
  moved(): void;
  stop(): void;
} {
  const controller = new AbortController();
  let lastMoved = Date.now();
  const timer = setInterval(
    () => {
      const idleMs = Date.now() - lastMoved;
      if (idleMs < options.timeoutMs) return;
      clearInterval(timer);
      controller.abort(new ExportStalledError(options.stalledOn(), idleMs));
    },
    Math.max(10, Math.floor(options.timeoutMs / 4)),
  );
  // Never keeps the process alive on its own.
  timer.unref();
  return {
    signal: controller.signal,
    moved: () => void (lastMoved = Date.now()),
    stop: () => clearInterval(timer),
  };
}
