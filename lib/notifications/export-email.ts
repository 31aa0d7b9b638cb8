/**
 * The mail an admin gets when an export they requested ends. Pure: built from the export's
 * facts, so tests can read every word. It links to the export on the history page, never
 * to the object: a presigned link in an inbox outlives its purpose, and the page checks
 * the session before it offers a fresh one.
 */

export type ExportEnding = 'completed' | 'failed';

export interface ExportEmailFacts {
  exportId: string;
  ending: ExportEnding;
  /** The admin who requested the export: the only recipient. */
  recipient: string;
  userEmail: string;
  tenantName: string;
  environmentName: string;
  rowsExported: number;
  bytes: number | null;
  /** The row's fixed failure sentence (never a raw error). */
  errorSummary: string | null;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** `<app>/exports?export=<id>`: the history page, which highlights that export. */
export function exportHistoryLink(appUrl: string, exportId: string): string {
  const url = new URL('/exports', appUrl.endsWith('/') ? appUrl : `${appUrl}/`);
  // Keep a path prefix the app may be served under (https://example.com/console/).
  url.pathname = `${new URL(appUrl).pathname.replace(/\/$/, '')}/exports`;
  url.searchParams.set('export', exportId);
  return url.toString();
}

export function buildExportEmail(facts: ExportEmailFacts, appUrl: string): OutgoingMail {
  const link = exportHistoryLink(appUrl, facts.exportId);
  const where = `${facts.tenantName} · ${facts.environmentName}`;
  const subject = facts.ending === 'completed' ? `Export ready: ${facts.userEmail} (${where})` : `Export failed: ${facts.userEmail} (${where})`;
  const summary =
    facts.ending === 'completed'
      ? `The export of ${facts.userEmail} finished: ${facts.rowsExported.toLocaleString('en-US')} events${facts.bytes === null ? '' : `, ${formatBytes(facts.bytes)}`}.`
      : `The export of ${facts.userEmail} failed: ${facts.errorSummary ?? 'no reason was recorded'}`;
  const action = facts.ending === 'completed' ? 'Download it from the export history' : 'See it, and export again, from the export history';
  const footer = 'You get this mail because you requested the export. Turn these mails off from the menu at the top of Export Console.';
  const text = [summary, '', `${action}:`, link, '', `Environment: ${where}`, '', footer, ''].join('\n');
  const html = [
    `<p>${escapeHtml(summary)}</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>`,
    `<p>Environment: ${escapeHtml(where)}</p>`,
    `<p style="color:#64748b;font-size:12px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  return { to: facts.recipient, subject, text, html };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
