import { describe, expect, it } from 'vitest';
import { auditActions, auditFilterSchema, listAuditQuerySchema } from '../../lib/audit/audit.contracts';
import { auditCsvRecord, fileTimestamp } from '../../lib/audit/audit-csv';
import { parseAuditQuery } from '../../lib/audit/audit-query';
import type { AuditEntryRow } from '../../lib/audit/audit.repository';
import { AppError } from '../../lib/errors';

const parse = (query: string) => parseAuditQuery(listAuditQuerySchema, new URLSearchParams(query));

function refusal(query: string): AppError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`"${query}" was accepted`);
}

describe('audit filters', () => {
  it('accept every known action, ids, and ISO 8601 dates and date-times as a half-open range', () => {
    for (const action of auditActions) expect(parse(`action=${action}`).action).toBe(action);
    const q = parse(
      'adminId=0b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e&userId=1b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e&from=2026-11-01&to=2026-11-02T09:30:00%2B01:00&limit=5',
    );
    expect(q).toMatchObject({ adminId: '0b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e', userId: '1b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e', limit: 5 });
    expect(q.from?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(q.to?.toISOString()).toBe('2026-11-02T08:30:00.000Z');
    expect(parse('')).toEqual({ limit: 20 });
  });

  it('refuse an unknown action with 400 and every action in the hint', () => {
    const error = refusal('action=export.deleted');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^action: /);
    for (const action of auditActions) expect(error.hint).toContain(action);
  });

  it('refuse from ≥ to, and dates that are not ISO 8601, saying the range is half-open', () => {
    for (const query of [
      'from=2026-11-02&to=2026-11-01',
      'from=2026-11-01&to=2026-11-01',
      'from=yesterday',
      'to=2026-13-01',
      'from=2026-11-01T09:30:00',
      'to=1700000000',
    ]) {
      const error = refusal(query);
      expect(error.status, query).toBe(400);
      expect(error.hint, query).toMatch(/half-open/);
    }
    expect(refusal('from=2026-11-02&to=2026-11-01').message).toBe('to: from must be before to');
  });

  it('refuse ids that are not UUIDs, and keep the cursor and limit rules', () => {
    expect(refusal('adminId=42').hint).toMatch(/adminId/);
    expect(refusal('userId=1 or 1=1').hint).toMatch(/userId/);
    expect(refusal('limit=101').status).toBe(400);
    expect(refusal('cursor=not*valid').status).toBe(400);
  });

  it('the CSV filters take no cursor or limit', () => {
    expect(auditFilterSchema.parse({ cursor: 'x', limit: '5', action: 'auth.signed_in' })).toEqual({ action: 'auth.signed_in' });
  });
});

describe('audit CSV records', () => {
  const row = {
    id: '0b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e',
    action: 'export.downloaded',
    created_at: new Date('2026-11-01T09:30:00.123Z'),
    admin_id: '1b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e',
    admin_email: '@admin@acme.test',
    environment_slug: 'production',
    export_id: null,
    user_id: null,
    user_email: '+1@acme.test',
    client_address: '-1',
    user_agent: "=cmd|' /C calc'!A0",
    details: {},
  } as AuditEntryRow;

  it('guard every text cell against formulas and write RFC 3339 times', () => {
    expect(auditCsvRecord(row)).toEqual([
      '0b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e',
      '2026-11-01T09:30:00.123Z',
      'export.downloaded',
      'production',
      '1b7e6d4c-1f2a-4b3c-8d9e-0f1a2b3c4d5e',
      "'@admin@acme.test",
      '',
      "'+1@acme.test",
      '',
      "'-1",
      "'=cmd|' /C calc'!A0",
      '{}',
    ]);
  });

  it('name the file with a compact UTC timestamp', () => {
    expect(fileTimestamp(new Date('2026-11-01T09:30:05.123Z'))).toBe('20261101T093005Z');
  });
});
