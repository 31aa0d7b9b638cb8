import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go over
 * OTLP/HTTP (JSON) to that collector. Everything else follows the standard OTEL_* variables
 * the SDK reads itself (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …). Unset, nothing is
 * registered and @opentelemetry/api stays a no-op.
 */
export function tracingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes the spans still buffered (at most 3 s); call before the process exits. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider (W3C trace context, AsyncLocalStorage context). */
export function startTracing(serviceName: string): Tracing {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the default name.
  const resource = new Resource({ 'service.name': serviceName }).merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Bounded: an unreachable collector must not hold a stopping process for the exporter's 10 s timeout.
  const shutdown = () => Promise.race([provider.shutdown(), new Promise<void>((resolve) => setTimeout(resolve, 3_000).unref())]);
  return { resource, spanProcessor, shutdown };
}
