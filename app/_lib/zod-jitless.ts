import { z } from 'zod';

// Zod 4 probes `new Function("")` once to decide whether it may compile faster parsers.
// The Content-Security-Policy (server.mjs) forbids eval, so in the browser that probe only
// raises a CSP violation on every page load. Parsing without it is as correct.
z.config({ jitless: true });
