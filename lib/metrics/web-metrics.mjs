import { createServer } from 'node:http';
import client from 'prom-client';

/**
 * The web app's Prometheus metrics: prom-client's process defaults, HTTP requests by route
 * template and status (recorded in server.mjs), and export requests by outcome (recorded
 * by the route handlers). Plain JS so server.mjs can load it before Next; Next may bundle
 * its own copy of this module into the route handlers, so the one registry lives on
 * globalThis under a registered symbol and every copy finds the same instance.
 */
const key = Symbol.for('export-console.web-metrics');

/** The process's metrics, created on first use. */
export function webMetrics() {
  globalThis[key] ??= createWebMetrics();
  return globalThis[key];
}

function createWebMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'];
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames,
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to the end of the response, by route template and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    exportRequests: new client.Counter({
      name: 'export_requests_total',
      help: 'Export requests by kind (user, bulk) and outcome (accepted, deduplicated, or the refusal reason)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}

/**
 * Maps a request path to a bounded route label: the page of Next's routes manifest
 * (`/api/users/[userId]/exports`), `/_next` for build assets, else `other`. Labels never
 * carry ids, so a scan of random URLs cannot blow up the series count.
 */
export function routeLabeller(manifest) {
  const routes = [...(manifest?.staticRoutes ?? []), ...(manifest?.dynamicRoutes ?? [])].map((route) => ({
    page: route.page,
    regex: new RegExp(route.regex),
  }));
  return (path) => {
    const pathname = (path || '/').split('?')[0];
    if (pathname.startsWith('/_next/')) return '/_next';
    return routes.find((route) => route.regex.test(pathname))?.page ?? 'other';
  };
}

/** Counts one request once its response has ended (or the client went away). */
export function observeRequest(req, res, labelRoute) {
  const started = process.hrtime.bigint();
  const { httpRequests, httpDuration } = webMetrics();
  res.once('close', () => {
    const labels = { method: req.method ?? 'GET', route: labelRoute(req.url), status: String(res.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
}

/** `host:port` → the pair `listen` takes; the port may be 0 (tests). */
function parseAddress(address) {
  const match = /^(.+):(\d+)$/.exec(address);
  if (!match) throw new Error(`${address} is not host:port`);
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

/**
 * Serves GET /metrics on a listener of its own, never on the app's port: the scrape
 * endpoint is for the operator's network only. Resolves with the bound address.
 */
export function startMetricsServer(address) {
  const { host, port } = parseAddress(address);
  const { registry } = webMetrics();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: scrape GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
      (error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, address: server.address() }));
  });
}
