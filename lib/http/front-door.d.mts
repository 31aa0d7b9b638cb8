import type { IncomingMessage, ServerResponse } from 'node:http';

export { peerHeader, urlHeader } from '../front-door-headers.mjs';
export declare const allowedMethods: readonly string[];
export declare function listenAddress(dev: boolean, env: Record<string, string | undefined>): { host: string; port: number };
export declare function methodNotAllowedBody(method: string | undefined): string;
export declare function requestPath(rawUrl: string | undefined): string;
export declare function securityHeaders(opts: { dev: boolean; https: boolean }): Record<string, string>;
export declare function stampRequest(req: IncomingMessage): void;
export declare function withResponseDefaults(req: IncomingMessage, res: ServerResponse, defaults: Record<string, string>): void;
