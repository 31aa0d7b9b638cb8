import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { allowedMethods, listenAddress, methodNotAllowedBody, securityHeaders, stampRequest, withResponseDefaults } from './lib/http/front-door.mjs';
import { createLogger } from './lib/log.mjs';
import { observeRequest, routeLabeller, startMetricsServer } from './lib/metrics/web-metrics.mjs';

/**
 * The web app's only entry point: `node server.mjs` serves the production build (`next
 * build` first), `node server.mjs --dev` runs Next's dev server. Replaces `next start` and
 * `next dev` so that every request passes through lib/http/front-door.mjs first: trusted
 * client address, refused methods, security headers.
 */
const dev = process.argv.includes('--dev');
// The mode decides the rules: a production server must never run with development's
// relaxed configuration checks because NODE_ENV happened to say so.
process.env.NODE_ENV = dev ? 'development' : 'production';

const { host, port } = listenAddress(dev, process.env);
const log = createLogger('export-console-web');

const server = createServer();
const app = next({ dev, dir: fileURLToPath(new URL('.', import.meta.url)), hostname: host, port, httpServer: server });

function fail(message) {
  log.fatal(message);
  process.exit(1);
}

// instrumentation.ts checks the configuration inside Next (after Next has loaded .env
// files) and reports here; in production Next would only log a failed register() and
// then answer 500 to everything, so the server waits for the verdict before listening.
const bootKey = Symbol.for('export-console.boot');
const booted = new Promise((resolve, reject) => {
  globalThis[bootKey] = { ready: resolve, failed: (message) => reject(new Error(message)) };
});
let bootTimer;
try {
  await app.prepare();
  await Promise.race([
    booted,
    new Promise((_, reject) => {
      bootTimer = setTimeout(() => reject(new Error('instrumentation.ts register() did not report within 60 s')), 60_000);
    }),
  ]);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  clearTimeout(bootTimer);
}

// Read after prepare(): Next has loaded the .env files into process.env by then.
const httpsByConfig = (process.env.NEXTAUTH_URL ?? '').startsWith('https://');
// Two fixed sets, built once rather than per request.
const plainHeaders = securityHeaders({ dev, https: httpsByConfig });
const tlsHeaders = securityHeaders({ dev, https: true });
const headersFor = (req) => (req.socket.encrypted ? tlsHeaders : plainHeaders);
const handle = app.getRequestHandler();

// Prometheus metrics on a listener of their own (WEB_METRICS_ADDRESS), off when unset.
const metricsAddress = process.env.WEB_METRICS_ADDRESS;
let labelRoute;
if (metricsAddress) {
  labelRoute = routeLabeller(readRoutesManifest());
  try {
    const { address } = await startMetricsServer(metricsAddress);
    log.info(`Metrics on http://${address.address}:${address.port}/metrics`);
  } catch (error) {
    fail(`cannot serve metrics on ${metricsAddress}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The build's route templates, for bounded route labels; none in dev before a page compiles. */
function readRoutesManifest() {
  try {
    return JSON.parse(readFileSync(fileURLToPath(new URL('.next/routes-manifest.json', import.meta.url)), 'utf8'));
  } catch {
    return undefined;
  }
}

server.on('request', (req, res) => {
  if (labelRoute) observeRequest(req, res, labelRoute);
  withResponseDefaults(req, res, headersFor(req));
  if (!allowedMethods.includes(req.method ?? '')) {
    res.writeHead(405, { Allow: allowedMethods.join(', '), 'Content-Type': 'application/json' });
    res.end(methodNotAllowedBody(req.method));
    return;
  }
  stampRequest(req);
  handle(req, res).catch((error) => {
    // Next answers its own errors; this is only for one escaping it. No details leave.
    log.error({ err: error }, 'request failed outside the route handlers');
    if (res.headersSent) return void res.end();
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error', hint: 'Try again; the server log has the details.' } }));
  });
});

server.once('error', (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));
server.listen(port, host, () => log.info(`Ready on http://${host}:${port} (${dev ? 'development' : 'production'})`));

let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  log.info(`${signal}: closing the server`);
  // Idle keep-alive connections close at once; busy ones get a few seconds to finish.
  setTimeout(() => server.closeAllConnections(), 5_000).unref();
  await Promise.all([new Promise((resolve) => server.close(resolve)), app.close().catch(() => undefined)]);
  // Spans still buffered when tracing is on (instrumentation.ts registers the flush).
  await globalThis[Symbol.for('export-console.flush-traces')]?.().catch(() => undefined);
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => void shutdown(signal));
