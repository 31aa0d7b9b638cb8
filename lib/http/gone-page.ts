import type { AppError } from '../errors';

/** A browser loading a page (clicking a link), as opposed to fetch() or an API client. */
export function isDocumentNavigation(request: Request): boolean {
  return request.headers.get('sec-fetch-dest') === 'document';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The 410 of a download, as a page: the same code, message and hint as the JSON error. */
export function goneDownloadPage(error: AppError): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Export expired · Export Console</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #0f172a">
<main>
<h1 style="font-size: 1.25rem">This export has expired</h1>
<p role="alert" data-code="${escapeHtml(error.code)}">${escapeHtml(error.message)}.</p>
<p>${escapeHtml(error.hint)}</p>
<p><a href="/exports" style="color: #4338ca">Back to the export history</a></p>
</main>
</body></html>`;
  return new Response(html, { status: error.status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
