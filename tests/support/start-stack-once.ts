import { startStack } from '../../scripts/stack/index';

/**
 * Test driver, run from a copy of the checkout: starts the local stack as scripts/test.ts
 * does (data dir and ports from argv), reports, stops it. `ready` or `failed: <message>`.
 * Usage: start-stack-once.ts <dataDir> <pgPort> <temporalPort> <uiPort> <s3Port> <smtpPort> <mailpitUiPort>
 */
const [dataDir, postgres, temporal, temporalUi, s3, smtp, mailpitUi] = process.argv.slice(2);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'SMTP_URL'].includes(k)));
try {
  const stack = await startStack({
    dataDir: dataDir!,
    env,
    ports: {
      postgres: Number(postgres),
      temporal: Number(temporal),
      temporalUi: Number(temporalUi),
      s3: Number(s3),
      smtp: Number(smtp),
      mailpitUi: Number(mailpitUi),
    },
  });
  console.log('ready');
  await stack.stop();
} catch (error) {
  console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
