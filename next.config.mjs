/** @type {import('next').NextConfig} */
const nextConfig = {
  // Temporal's client carries a native gRPC stack and must load with plain Node require,
  // never through the bundler; the same for the database and S3 clients.
  serverExternalPackages: ['@temporalio/client', '@temporalio/common', '@temporalio/proto', 'pg', 'pg-copy-streams', 'kysely'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
