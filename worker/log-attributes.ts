import { trace } from '@opentelemetry/api';
import type { ActivityInterceptors } from '@temporalio/worker';
import { exportIdsOf } from './export-ids';

const spanAttribute: Record<string, string> = { exportId: 'export.id', bulkExportId: 'bulk_export.id', tenantId: 'tenant.id', environmentId: 'environment.id' };

/**
 * Activity interceptors that add the export it serves (export id, tenant, environment,
 * read from the activity's input) to every `Context.current().log` line; the SDK already
 * adds the workflow id, activity type and attempt. The same ids go on the RunActivity span
 * when tracing is on (the OpenTelemetry interceptor runs outside this one, so its span is active).
 */
export function exportLogAttributes(): ActivityInterceptors {
  let ids: Record<string, string> = {};
  return {
    inbound: {
      execute(input, next) {
        ids = exportIdsOf(input.args[0]);
        trace.getActiveSpan()?.setAttributes(Object.fromEntries(Object.entries(ids).map(([field, id]) => [spanAttribute[field]!, id])));
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...ids, ...attributes }),
    },
  };
}
