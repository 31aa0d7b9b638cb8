/** @type {import('next').NextConfig} */
const nextConfig = {
  // Temporal's client carries a native gRPC stack and must load with plain Node require,
  // never through the bundler; the same for the database and S3 clients.
  serverExternalPackages: [
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    'pg',
    'pg-copy-streams',
    'kysely',
    // One OpenTelemetry API instance for Next's spans, the SDK and Temporal's interceptor.
    '@opentelemetry/api',
    '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@temporalio/interceptors-opentelemetry',
    'pino',
  ],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
