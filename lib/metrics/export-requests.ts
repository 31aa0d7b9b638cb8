import { isAppError } from '../errors';
import { webMetrics } from './web-metrics.mjs';

type Kind = 'user' | 'bulk';

/**
 * Counts an export request by its outcome: `accepted`, `deduplicated` (an existing export
 * came back), or why it was refused (`rate_limit`, `concurrency_cap`, else the error code:
 * `validation`, `not_found`, `unavailable`…). The error is rethrown untouched.
 */
export async function countExportRequest<T>(kind: Kind, request: () => Promise<T>, outcomeOf: (result: T) => 'accepted' | 'deduplicated'): Promise<T> {
  const { exportRequests } = webMetrics();
  try {
    const result = await request();
    exportRequests.inc({ kind, outcome: outcomeOf(result) });
    return result;
  } catch (error) {
    exportRequests.inc({ kind, outcome: isAppError(error) ? (error.options.reason ?? error.code) : 'error' });
    throw error;
  }
}
