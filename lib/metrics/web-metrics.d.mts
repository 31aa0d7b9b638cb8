import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter, Histogram, Registry } from 'prom-client';

export interface WebMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  exportRequests: Counter<'kind' | 'outcome'>;
}
export interface RoutesManifest {
  staticRoutes?: { page: string; regex: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}
export declare function webMetrics(): WebMetrics;
export declare function routeLabeller(manifest: RoutesManifest | undefined): (path: string | undefined) => string;
export declare function observeRequest(req: IncomingMessage, res: ServerResponse, labelRoute: (path: string | undefined) => string): void;
export declare function startMetricsServer(address: string): Promise<{ server: Server; address: AddressInfo }>;
