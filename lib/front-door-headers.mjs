/**
 * Internal headers only the custom server (lib/http/front-door.mjs) may set; a client's copy is
 * discarded. Plain ESM so server.mjs can load it; here, not in lib/http, because domain code reads
 * them too (request-origin.ts, the admin layout's deep link).
 */
export const peerHeader = 'x-export-console-peer';
export const urlHeader = 'x-export-console-url';
