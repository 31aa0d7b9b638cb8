import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { guardFormula } from '../../lib/exports/formats/csv/csv-guard';
import { CsvTally } from '../../lib/exports/formats/csv/csv-tally';
import { profileCsv } from '../../lib/exports/formats/csv/profile-csv';

describe('formula guard', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+1', "'+1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
  ])('prefixes %j', (input, expected) => {
    expect(guardFormula(input)).toBe(expected);
  });

  it.each(['alice', '', 'a=b', ' =x', '{"a":1}', '日本語'])('leaves %j alone', (input) => {
    expect(guardFormula(input)).toBe(input);
  });
});

describe('profile.csv', () => {
  it('quotes commas, quotes and newlines (RFC 4180, LF) and guards formulas', () => {
    const csv = profileCsv({
      id: 'u1',
      email: '=evil@example.com',
      name: 'Smith, "Jo"\nJr. ✓',
      created_at: new Date('2025-01-02T03:04:05.006Z'),
      last_login_at: null,
    });
    expect(csv).toBe('user_id,email,name,created_at,last_login_at\nu1,\'=evil@example.com,"Smith, ""Jo""\nJr. ✓",2025-01-02T03:04:05.006Z,\n');
    expect(parse(csv, { columns: true })).toEqual([
      { user_id: 'u1', email: "'=evil@example.com", name: 'Smith, "Jo"\nJr. ✓', created_at: '2025-01-02T03:04:05.006Z', last_login_at: '' },
    ]);
  });
});

async function tally(chunks: string[]): Promise<CsvTally> {
  const counter = new CsvTally();
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), counter, new Writable({ write: (_c, _e, cb) => cb() }));
  return counter;
}

describe('CsvTally', () => {
  const csv = 'a,b\n1,"x\ny"\n2,"he said ""hi""\n"\n3,plain\n';

  it('counts records, not line breaks inside quotes', async () => {
    expect((await tally([csv])).records).toBe(4);
  });

  it('counts the same however the bytes are split', async () => {
    for (let size = 1; size <= 7; size++) {
      const chunks = csv.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect((await tally(chunks)).records).toBe(4);
    }
  });

  it('hashes and measures every byte', async () => {
    const counter = await tally([csv.slice(0, 5), csv.slice(5)]);
    expect(counter.bytes).toBe(Buffer.byteLength(csv));
    expect(counter.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
  });
});

describe('profile.csv carriage returns', () => {
  it('quotes a cell holding a lone CR, as PostgreSQL does', () => {
    const csv = profileCsv({ id: 'u1', email: 'a@b.c', name: 'line\rbreak', created_at: new Date('2025-01-01T00:00:00.000Z'), last_login_at: null });
    expect(csv.split('\n')[1]).toBe('u1,a@b.c,"line\rbreak",2025-01-01T00:00:00.000Z,');
  });
});
