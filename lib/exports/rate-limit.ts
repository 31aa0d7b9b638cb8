import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import { countTenantExports } from './export.repository';

/**
 * Per-tenant caps on exports started per minute and in flight at once. Counted from the
 * exports table inside the tenant's advisory lock, so they hold across web processes.
 * `admitting` is an export this transaction already inserted: it is not counted, so the
 * caller may insert before it takes the lock and hold the lock only for this check.
 */
export async function checkExportRateLimits(
  tx: Transaction<Database>,
  tenantId: string,
  limits: { perMinute: number; concurrent: number },
  admitting?: string,
): Promise<void> {
  const now = Date.now();
  const counts = await countTenantExports(tx, tenantId, new Date(now - 60_000), admitting);
  if (counts.inFlight >= limits.concurrent) {
    throw new AppError(
      'rate_limited',
      `Your tenant already has ${counts.inFlight} exports queued or running (limit ${limits.concurrent})`,
      'Wait for one of them to finish, or cancel one, then try again.',
      { retryAfterSeconds: 15, reason: 'concurrency_cap' },
    );
  }
  if (counts.recent >= limits.perMinute) {
    const oldest = counts.oldestRecent?.getTime() ?? now;
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
    throw new AppError(
      'rate_limited',
      `Your tenant started ${counts.recent} exports in the last minute (limit ${limits.perMinute})`,
      `Try again in ${retryAfterSeconds} seconds.`,
      { retryAfterSeconds, reason: 'rate_limit' },
    );
  }
}
