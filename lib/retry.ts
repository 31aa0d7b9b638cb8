import { isUnavailableError } from './error-classification';

export interface RetryOptions {
  /** Total tries, including the first. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  isTransient?: (error: unknown) => boolean;
  /** Called before each wait (the export activity heartbeats here). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Retries a call that failed because a dependency was briefly unavailable, with capped
 * exponential backoff. The defaults (1, 2, 4, 8, 8, 8 s) ride out an outage of about
 * 30 s, so a Postgres restart does not spend one of the activity's three attempts.
 */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 7, baseDelayMs = 1_000, maxDelayMs = 8_000, isTransient = isUnavailableError } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error) || options.signal?.aborted) throw error;
      const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
