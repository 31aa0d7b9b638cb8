/**
 * The container every export is delivered in: one ZIP (SPEC §4). Its facts live here, apart
 * from the writer (zip-archive.ts), so the web app can name and serve files without loading
 * the ZIP library.
 */
export const zipContainer = { contentType: 'application/zip', extension: 'zip' } as const;
