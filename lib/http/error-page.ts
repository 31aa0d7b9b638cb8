import type { AppError } from '../errors';

/** A browser loading a page (clicking a link), as opposed to fetch() or an API client. */
export function isDocumentNavigation(request: Request): boolean {
  return request.headers.get('sec-fetch-dest') === 'document';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const headings: Partial<Record<AppError['code'], string>> = {
  gone: 'This export has expired',
  not_found: 'Export not found',
  // A malformed id in a link: for the person who clicked it, no such export.
  validation: 'Export not found',
  forbidden: 'Not allowed',
  unauthorized: 'Sign in first',
};

/**
 * An API error as a page, for links people click (the Download link): the same status,
 * code, message and hint as the JSON error, with the console's name and a way back.
 */
export function errorPage(error: AppError): Response {
  const heading = headings[error.code] ?? 'The download could not start';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<title>${escapeHtml(heading)} · Export Console</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #0f172a">
<header><p style="font-weight: 600">Export Console</p></header>
<main>
<h1 style="font-size: 1.25rem">${escapeHtml(heading)}</h1>
<p role="alert" data-code="${escapeHtml(error.code)}">${escapeHtml(error.message)}.</p>
<p>${escapeHtml(error.hint)}</p>
<p><a href="/exports" style="color: #4338ca">Back to the export history</a></p>
</main>
</body></html>`;
  return new Response(html, { status: error.status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
