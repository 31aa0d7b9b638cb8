import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exportFormatNames, requestExportBodySchema } from '../../lib/exports/export.contracts';
import { exportFormat } from '../../lib/exports/formats';
import type { RecordTally } from '../../lib/exports/formats/export-format';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const user = {
  id: '1d0c3a52-9f1e-4c1b-8a7e-0000000000a1',
  email: '=pinned@example.test',
  name: 'Pinned, "Fixture"\nUser',
  created_at: new Date('2025-06-07T08:09:10.011Z'),
  last_login_at: null,
};
/** profile.csv of `user` as the code wrote it before the format seam (tests/unit/csv-pin.unit.test.ts). */
const pinnedProfileCsv = '14fa63098e568fe5f21bbea1965804e7aab9b5391583aa9b3d9bb32de726b92e';

async function tally(t: RecordTally, chunks: string[]): Promise<RecordTally> {
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), t, new Writable({ write: (_c, _e, cb) => cb() }));
  return t;
}

describe('format registry', () => {
  it('has a module for every name the API accepts, and none by another name', () => {
    for (const name of exportFormatNames) expect(exportFormat(name).name).toBe(name);
    expect(() => exportFormat('xlsx' as never)).toThrow(/Unknown export format/);
  });

  it('treats no format as csv (exports from before formats existed)', () => {
    expect(exportFormat(undefined).name).toBe('csv');
  });
});

describe('csv', () => {
  it('writes the pinned profile bytes', () => {
    expect(sha256(exportFormat('csv').profile(user))).toBe(pinnedProfileCsv);
  });
});

describe('csv-excel', () => {
  it('is the csv profile after a UTF-8 BOM, and puts the BOM before the events too', () => {
    const bytes = exportFormat('csv-excel').profile(user);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(sha256(bytes.subarray(3))).toBe(pinnedProfileCsv);
    expect(exportFormat('csv-excel').eventsPrefix).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(exportFormat('csv').eventsPrefix.length).toBe(0);
  });

  it('guards formulas like csv (the same COPY SQL)', () => {
    expect(exportFormat('csv-excel').eventsCopySql({ tenantId: user.id, environmentId: user.id, userId: user.id })).toBe(
      exportFormat('csv').eventsCopySql({ tenantId: user.id, environmentId: user.id, userId: user.id }),
    );
    expect(exportFormat('csv-excel').profile(user).toString('utf8')).toContain("'=pinned@example.test");
  });
});

describe('jsonl', () => {
  it('writes the profile as one JSON line with the CSV header names, unguarded, null for never', () => {
    const text = exportFormat('jsonl').profile(user).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['user_id', 'email', 'name', 'created_at', 'last_login_at']);
    expect(parsed).toEqual({ user_id: user.id, email: '=pinned@example.test', name: user.name, created_at: '2025-06-07T08:09:10.011Z', last_login_at: null });
  });

  it('selects no formula guard, and bounds the range half-open', () => {
    const sql = exportFormat('jsonl').eventsCopySql({
      tenantId: user.id,
      environmentId: user.id,
      userId: user.id,
      from: '2026-01-01T00:00:00+02:00',
      to: '2026-02-01T00:00:00Z',
    });
    expect(sql).not.toMatch(/''''/);
    expect(sql).toContain("occurred_at >= '2025-12-31T22:00:00.000Z'::timestamptz");
    expect(sql).toContain("occurred_at < '2026-02-01T00:00:00.000Z'::timestamptz");
  });

  it('refuses to inline anything but a UUID or a time', () => {
    expect(() => exportFormat('jsonl').eventsCopySql({ tenantId: "x' or 1=1 --", environmentId: user.id, userId: user.id })).toThrow(/not a UUID/);
    expect(() => exportFormat('jsonl').eventsCopySql({ tenantId: user.id, environmentId: user.id, userId: user.id, from: "'; drop table events; --" })).toThrow(
      /not a timestamp/,
    );
  });

  it('counts one record per line, whatever the chunking', async () => {
    const lines = ['{"a":"x\\ny"}\n', '{"b":1}\n', '{"c":"\\"q\\""}\n'].join('');
    for (const size of [1, 3, 7, lines.length]) {
      const chunks = lines.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      const t = await tally(exportFormat('jsonl').createEventsTally(), chunks);
      expect(t.rows).toBe(3);
      expect(t.sha256).toBe(sha256(Buffer.from(lines)));
    }
  });
});

describe('csv tally rows', () => {
  it('excludes the header and counts quoted newlines as content', async () => {
    const t = await tally(exportFormat('csv').createEventsTally(), ['a,b\n1,"x\n', 'y"\n2,z\n']);
    expect(t.rows).toBe(2);
  });
});

describe('POST /api/users/{userId}/exports body', () => {
  const parse = (body: unknown) => requestExportBodySchema.safeParse(body);
  const messages = (body: unknown) => {
    const result = parse(body);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it.each([
    {},
    { format: 'csv' },
    { format: 'csv-excel' },
    { format: 'jsonl', from: '2026-01-01T00:00:00Z' },
    { to: '2026-01-01T00:00:00.123+05:30' },
    { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:01Z' },
  ])('accepts %j', (body) => expect(parse(body).success).toBe(true));

  it('lists the valid formats for an unknown one', () => {
    expect(messages({ format: 'xlsx' })).toEqual(['format must be one of csv, csv-excel, jsonl']);
  });

  it.each([['2026-01-01'], ['2026-01-01T00:00Z'], ['2026-01-01T00:00:00'], ['yesterday'], ['2026-13-01T00:00:00Z'], [1767225600000]])(
    'refuses from = %j as not RFC 3339',
    (from) => {
      expect(messages({ from }).join(' ')).toMatch(/from (must be an RFC 3339|is not a valid date-time)/);
    },
  );

  it.each([
    ['2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['2026-01-01T02:00:00+02:00', '2026-01-01T00:00:00Z'],
  ])('refuses from %s ≥ to %s', (from, to) => {
    expect(messages({ from, to })).toEqual(['from must be before to (the range is half-open: from ≤ occurred_at < to)']);
  });

  it('refuses unknown fields and options beside retryOf', () => {
    expect(messages({ format: 'csv', extra: 1 })[0]).toMatch(/only the fields format, from, to and retryOf/);
    expect(messages({ retryOf: user.id, format: 'jsonl' })[0]).toMatch(/retryOf repeats that export with its own format and range/);
  });
});
