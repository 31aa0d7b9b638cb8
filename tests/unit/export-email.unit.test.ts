import { describe, expect, it } from 'vitest';
import { buildExportEmail, exportHistoryLink, type ExportEmailFacts } from '../../lib/notifications/export-email';

const facts: ExportEmailFacts = {
  exportId: '3f0c8a52-6a0b-4c55-9d0e-1d2b3c4d5e6f',
  ending: 'completed',
  recipient: 'admin@acme.test',
  userEmail: 'ada@example.com',
  tenantName: 'Acme',
  environmentName: 'Production',
  rowsExported: 12345,
  bytes: 2_500_000,
  errorSummary: null,
};

describe('the mail about an export', () => {
  it('goes to the admin who requested it, says whose export is ready and where', () => {
    const mail = buildExportEmail(facts, 'https://exports.example.com');
    expect(mail.to).toBe('admin@acme.test');
    expect(mail.subject).toBe('Export ready: ada@example.com (Acme · Production)');
    expect(mail.text).toContain('12,345 events, 2.4 MB');
  });

  it('links to the export on the history page, in text and HTML', () => {
    const mail = buildExportEmail(facts, 'https://exports.example.com');
    const link = `https://exports.example.com/exports?export=${facts.exportId}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
  });

  it('never carries a download or storage link: no presigned URL, no object key, no download route', () => {
    const mail = buildExportEmail({ ...facts, bytes: 10 }, 'https://exports.example.com/');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toMatch(/X-Amz-|Signature=|\/download|exports\/[0-9a-f-]+\/[0-9a-f-]+\/|\.zip|s3/i);
      const urls = body.match(/https?:\/\/[^\s"<]+/g) ?? [];
      expect(urls.map((u) => new URL(u.replace(/&amp;/g, '&')).pathname)).toEqual(urls.map(() => '/exports'));
    }
  });

  it('on failure: says so in the subject and gives the fixed failure sentence', () => {
    const mail = buildExportEmail(
      { ...facts, ending: 'failed', errorSummary: 'The export failed because file storage was unreachable.' },
      'http://localhost:3000',
    );
    expect(mail.subject).toBe('Export failed: ada@example.com (Acme · Production)');
    expect(mail.text).toContain('file storage was unreachable');
    expect(mail.text).toContain(`http://localhost:3000/exports?export=${facts.exportId}`);
  });

  it('escapes what it puts into HTML', () => {
    const mail = buildExportEmail({ ...facts, userEmail: '<b>x</b>@example.com' }, 'https://exports.example.com');
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('keeps a path prefix the app is served under', () => {
    expect(exportHistoryLink('https://example.com/console/', 'abc')).toBe('https://example.com/console/exports?export=abc');
    expect(exportHistoryLink('https://example.com', 'abc')).toBe('https://example.com/exports?export=abc');
  });
});
