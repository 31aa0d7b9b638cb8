import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { ActivityInterceptorsFactory, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { Tracing } from '../lib/telemetry/tracing';
import { exportLogAttributes } from './log-attributes';

const require = createRequire(import.meta.url);

/**
 * Interceptors bundled into the workflow code: the workflow side of
 * @temporalio/interceptors-opentelemetry (RunWorkflow, StartActivity spans, trace context
 * handed to activities in headers) and the export ids on workflow log lines. They are part
 * of every workflow bundle, prebuilt or not, so the replayed code is the code that runs.
 */
export const workflowInterceptorModules = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
  fileURLToPath(new URL('./workflows/log-attributes.interceptors.ts', import.meta.url)),
];

/**
 * Worker options that trace workflows and activities (RunActivity spans as children of the
 * workflow's trace) and tag activity log lines with the export they serve. Without
 * `tracing` the workflow spans, which the bundle always makes, go to a no-op processor.
 * `prebuilt`: the workflow bundle came from the build, which already holds the interceptors.
 */
export function workerTelemetryOptions(
  tracing: Tracing | undefined,
  prebuilt = false,
): { interceptors: WorkerInterceptors; sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> } {
  const activity: ActivityInterceptorsFactory[] = [exportLogAttributes];
  if (tracing) {
    activity.unshift((ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }));
  }
  return {
    interceptors: { workflowModules: prebuilt ? [] : workflowInterceptorModules, activity },
    sinks: { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) },
  };
}
