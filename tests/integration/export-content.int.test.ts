import { createHash, randomUUID } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';
import { parseExportManifest } from '../../lib/exports/archive/manifest';
import { guardFormula } from '../../lib/exports/formats/csv/csv-guard';
import { runExport } from '../../lib/exports/export-runner';
import { createS3Client } from '../../lib/storage/s3';
import { carriageReturnsOutsideQuotes, decodeUtf8Strict, hasUtf8Bom, microsToRfc3339Millis, recordEnds, rfc3339Millis } from '../support/csv-checks';
import { getObjectBytes } from '../support/export-fixtures';
import { readZip } from '../support/zip';

/**
 * The export file's content against the database, for data built to break CSV writers and
 * spreadsheets: separators, quotes and line breaks in every text column, formula triggers,
 * unicode of every kind, and a large nested JSON property. Runs the real export (Postgres
 * COPY → ZIP → S3 multipart) and reads the object back from S3.
 */
const env = sharedEnv();
const pool = createPool(env.DATABASE_URL, 4);
const db: Db = dbFromPool(pool);
const s3 = createS3Client(env);
const deps = { db, pool, s3, bucket: env.S3_BUCKET };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const emoji = '🎉👩‍👩‍👧‍👦';
const rtl = 'שלום עולם مرحبا';
const combining = 'e\u0301\u0327 Z\u0335\u0321a\u0336\u031bl\u0338g\u0322o';

/** Text that needs every kind of CSV care at once. */
const hostileText = `a,b "c" ""d""\ne\r\nf\rg\t${emoji} ${rtl} ${combining} \u2028\u2029 \\ back\\slash`;

const formulaTriggers = ["=cmd|' /C calc'!A0", '+1', '-1', '@SUM(1)', '\tleading tab', '\rleading carriage return', '=1+1,"x"\ny'];

/** Every event type: the formula triggers, CSV specials, unicode, empty. */
const eventTypes = [
  ...formulaTriggers,
  'plain.view',
  'comma,separated',
  'quote"inside',
  '"fully quoted"',
  'line\nbreak',
  'crlf\r\nbreak',
  `unicode ${emoji} ${rtl} ${combining}`,
  '',
  ' leading space',
  "'already apostrophed",
];

/** ~200 KB of JSON string content mixing everything above, plus escapes. */
const largeString = (() => {
  // Whole repetitions only: slicing could split a surrogate pair, which jsonb refuses.
  const parts: string[] = [];
  for (let i = 0, length = 0; length < 200_000; i++) {
    const part = `${i}:${hostileText}|`;
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
})();

/** JSON text written by hand so the database receives escapes and number spellings as-is. */
const largePropertiesJson = `{
  "blob": ${JSON.stringify(largeString)},
  "escapes": "\\u00e9\\u00E9 \\ud83d\\ude00 \\u2028 \\u0007 \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t",
  "numbers": [1e21, 1E-7, -0, 0.1, 1.0, 12345678901234567890, -1.5e300, 0, 42],
  "flags": [true, false, null],
  "nested": {"a": [[[], {}], [{"b": {"c": [1, "=2", "+3", "-4", "@5"]}}]], "d": {"": ""}},
  "deep": ${'['.repeat(60)}"bottom"${']'.repeat(60)},
  "=formula key": "=HYPERLINK(\\"http://evil.example\\")",
  "duplicate": 1,
  "duplicate": 2
}`;

interface Subject {
  userId: string;
  tenantId: string;
  environmentId: string;
}

let environment: { id: string; tenant_id: string; tenant_slug: string; environment_slug: string };
const createdUsers: string[] = [];
const objectKeys: string[] = [];

async function createUser(email: string, name: string, createdAt: string, lastLoginAt: string | null): Promise<Subject> {
  const { rows } = await sql<{ id: string }>`
    insert into users (tenant_id, environment_id, email, name, created_at, last_login_at)
    values (${environment.tenant_id}, ${environment.id}, ${email}, ${name}, ${createdAt}::timestamptz, ${lastLoginAt}::timestamptz)
    returning id`.execute(db);
  const userId = rows[0]!.id;
  createdUsers.push(userId);
  return { userId, tenantId: environment.tenant_id, environmentId: environment.id };
}

async function insertEvent(subject: Subject, type: string, occurredAt: string, propertiesJson: string): Promise<void> {
  await sql`
    insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
    values (${subject.tenantId}, ${subject.environmentId}, ${subject.userId}, ${type}, ${occurredAt}::timestamptz, ${propertiesJson}::jsonb)`.execute(db);
}

interface ExportedFiles {
  fileName: string;
  rows: number;
  files: Map<string, Buffer>;
}

async function exportOf(subject: Subject): Promise<ExportedFiles> {
  const exportId = randomUUID();
  const result = await runExport(deps, { exportId, ...subject });
  objectKeys.push(result.objectKey);
  const zip = await getObjectBytes(s3, env.S3_BUCKET, result.objectKey);
  expect(zip.length).toBe(result.bytes);
  expect(sha256(zip)).toBe(result.sha256);
  return { fileName: result.fileName, rows: result.rows, files: await readZip(zip) };
}

/** UTF-8 without BOM, LF line ends outside quoted cells, a final LF; returns the text. */
function checkCsvBytes(bytes: Buffer, name: string): string {
  expect(hasUtf8Bom(bytes), `${name} starts with a BOM`).toBe(false);
  const text = decodeUtf8Strict(bytes);
  expect(carriageReturnsOutsideQuotes(text), `${name}: carriage returns outside quoted cells`).toEqual([]);
  expect(text.endsWith('\n'), `${name} ends with a line feed`).toBe(true);
  return text;
}

function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\n', relax_quotes: false, relax_column_count: false, bom: false, skip_empty_lines: false }) as string[][];
}

interface DbProfile {
  id: string;
  email: string;
  name: string;
  created_us: string;
  last_login_us: string | null;
}

async function dbProfile(userId: string): Promise<DbProfile> {
  const { rows } = await sql<DbProfile>`
    select id, email, name,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_us,
      to_char(last_login_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as last_login_us
    from users where id = ${userId}`.execute(db);
  return rows[0]!;
}

function expectedProfileRow(user: DbProfile): string[] {
  return [
    user.id,
    guardFormula(user.email),
    guardFormula(user.name),
    microsToRfc3339Millis(user.created_us),
    user.last_login_us === null ? '' : microsToRfc3339Millis(user.last_login_us),
  ];
}

function checkManifest(exported: ExportedFiles, subject: Subject, eventRows: number): void {
  const manifestBytes = exported.files.get('manifest.json')!;
  expect(hasUtf8Bom(manifestBytes)).toBe(false);
  const manifest = parseExportManifest(decodeUtf8Strict(manifestBytes));
  expect(manifest.formatVersion).toBe(1);
  expect(manifest.tenant).toEqual({ id: subject.tenantId, slug: environment.tenant_slug });
  expect(manifest.environment).toEqual({ id: subject.environmentId, slug: environment.environment_slug });
  expect(manifest.userId).toBe(subject.userId);
  expect(manifest.generatedAt).toMatch(rfc3339Millis);
  const entry = (name: string) => manifest.files.find((f) => f.name === name);
  expect(entry('profile.csv')).toEqual({ name: 'profile.csv', rows: 1, sha256: sha256(exported.files.get('profile.csv')!) });
  expect(entry('events.csv')).toEqual({ name: 'events.csv', rows: eventRows, sha256: sha256(exported.files.get('events.csv')!) });
  expect(exported.rows).toBe(eventRows);
  expect(exported.fileName).toMatch(new RegExp(`^${environment.tenant_slug}-${environment.environment_slug}-${subject.userId}-\\d{8}T\\d{6}Z\\.zip$`));
}

beforeAll(async () => {
  const { rows } = await sql<typeof environment>`
    select e.id, e.tenant_id, t.slug as tenant_slug, e.slug as environment_slug
    from environments e join tenants t on t.id = e.tenant_id
    where t.slug = 'acme' and e.slug = 'sandbox'`.execute(db);
  environment = rows[0]!;
  expect(environment).toBeDefined();
});

afterAll(async () => {
  if (createdUsers.length > 0) await sql`delete from users where id = any(${createdUsers}::uuid[])`.execute(db);
  for (const key of objectKeys) await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: key }));
  s3.destroy();
  await db.destroy();
});

describe('export file content (real Postgres, S3 and export runner)', () => {
  describe('a user with hostile profile and event data', () => {
    let subject: Subject;
    let exported: ExportedFiles;
    let dbEvents: { id: string; type: string; occurred_us: string; properties: unknown }[];

    beforeAll(async () => {
      const tag = randomUUID().slice(0, 8);
      subject = await createUser(
        `=HYPERLINK("http://evil.example"),"x"\n${emoji}.${rtl}.${combining}.${tag}@tricky.example`,
        `\r${combining} ${emoji} ${rtl}`,
        '2025-03-04T05:06:07.891234Z',
        '2026-10-11T12:13:14.999999Z',
      );
      // Formula triggers and CSV specials in the type; properties echo them, plus one big document.
      const base = Date.parse('2026-01-01T00:00:00.000Z');
      for (const [i, type] of eventTypes.entries()) {
        const occurredAt = new Date(base + (eventTypes.length - i) * 1_000).toISOString();
        await insertEvent(subject, type, occurredAt, JSON.stringify({ i, type, text: hostileText, trigger: formulaTriggers[i % formulaTriggers.length] }));
      }
      await insertEvent(subject, '=large', '2026-01-01T00:00:30.000Z', largePropertiesJson);
      // Ties and sub-millisecond differences: order is (occurred_at, id), not insertion order.
      for (let i = 0; i < 12; i++) await insertEvent(subject, `tie ${i}`, '2026-01-02T00:00:00.000000Z', `{"tie": ${i}}`);
      await insertEvent(subject, 'micro late', '2026-01-03T00:00:00.123900Z', '{}');
      await insertEvent(subject, 'micro early', '2026-01-03T00:00:00.123100Z', '{}');
      await insertEvent(subject, '-first', '2025-12-31T23:59:59.999999Z', '{"first": true}');

      exported = await exportOf(subject);
      ({ rows: dbEvents } = await sql<{ id: string; type: string; occurred_us: string; properties: unknown }>`
        select id, type, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as occurred_us, properties
        from events
        where tenant_id = ${subject.tenantId} and environment_id = ${subject.environmentId} and user_id = ${subject.userId}
        order by occurred_at, id`.execute(db));
    });

    it('holds exactly profile.csv, events.csv and manifest.json', () => {
      expect([...exported.files.keys()].sort()).toEqual(['events.csv', 'manifest.json', 'profile.csv']);
    });

    it('writes profile.csv as UTF-8 without BOM, LF line ends outside quoted cells', () => {
      checkCsvBytes(exported.files.get('profile.csv')!, 'profile.csv');
    });

    it('profile.csv holds the database values, formula-guarded, with RFC 3339 millisecond times', async () => {
      const profileText = decodeUtf8Strict(exported.files.get('profile.csv')!);
      expect(profileText.startsWith('user_id,email,name,created_at,last_login_at\n')).toBe(true);
      const profile = parseCsv(profileText);
      expect(profile).toHaveLength(2);
      expect(profile[0]).toEqual(['user_id', 'email', 'name', 'created_at', 'last_login_at']);
      expect(profile[1]).toEqual(expectedProfileRow(await dbProfile(subject.userId)));
      expect(profile[1]![1]!.startsWith("'=")).toBe(true);
      expect(profile[1]![2]!.startsWith("'\r")).toBe(true);
      expect(profile[1]![3]).toBe('2025-03-04T05:06:07.891Z');
      expect(profile[1]![4]).toBe('2026-10-11T12:13:14.999Z');
    });

    it('writes events.csv as UTF-8 without BOM, LF line ends outside quoted cells', () => {
      checkCsvBytes(exported.files.get('events.csv')!, 'events.csv');
    });

    it('events.csv holds every event in (occurred_at, id) order, each cell the database value formula-guarded', () => {
      const eventsText = decodeUtf8Strict(exported.files.get('events.csv')!);
      expect(eventsText.startsWith('event_id,type,occurred_at,properties\n')).toBe(true);
      const events = parseCsv(eventsText);
      expect(events[0]).toEqual(['event_id', 'type', 'occurred_at', 'properties']);
      const body = events.slice(1);
      expect(dbEvents.length).toBe(eventTypes.length + 16);
      expect(body).toHaveLength(dbEvents.length);
      expect(recordEnds(eventsText)).toBe(dbEvents.length + 1);
      expect(body.map((row) => row[0])).toEqual(dbEvents.map((e) => e.id));
      for (const [i, expected] of dbEvents.entries()) {
        const row = body[i]!;
        expect(row).toHaveLength(4);
        expect(row[1], `type of event ${i}`).toBe(guardFormula(expected.type));
        expect(row[2], `occurred_at of event ${i}`).toBe(microsToRfc3339Millis(expected.occurred_us));
        expect(row[2]).toMatch(rfc3339Millis);
        expect(JSON.parse(row[3]!), `properties of event ${i}`).toStrictEqual(expected.properties);
      }
      expect(body[0]![1]).toBe("'-first");
      expect(body[0]![2]).toBe('2025-12-31T23:59:59.999Z');
      expect(body.findIndex((row) => row[1] === 'micro early')).toBeLessThan(body.findIndex((row) => row[1] === 'micro late'));
      for (const trigger of formulaTriggers)
        expect(
          body.some((row) => row[1] === `'${trigger}`),
          JSON.stringify(trigger),
        ).toBe(true);
    });

    it('keeps the large JSON property whole: strings, escapes, numbers, nesting', () => {
      const events = parseCsv(decodeUtf8Strict(exported.files.get('events.csv')!));
      const large = events.find((row) => row[1] === "'=large");
      expect(large).toBeDefined();
      const parsed = JSON.parse(large![3]!) as { blob: string; numbers: number[]; duplicate: number; escapes: string; deep: unknown };
      expect(parsed.blob).toBe(largeString);
      expect(parsed.blob.length).toBeGreaterThanOrEqual(199_000);
      expect(parsed.numbers.slice(0, 2)).toEqual([1e21, 1e-7]);
      expect(parsed.numbers.at(-1)).toBe(42);
      expect(parsed.duplicate).toBe(2);
      expect(parsed.escapes).toBe('éé 😀 \u2028 \u0007 "q" \\ / \b\f\n\r\t');
      let depth = 0;
      for (let node = parsed.deep; Array.isArray(node); node = node[0]) depth++;
      expect(depth).toBe(60);
    });

    it("manifest.json counts one profile row and every event, with the files' sha256", () => {
      checkManifest(exported, subject, dbEvents.length);
    });
  });

  const profileVariants: [string, string, string][] = [
    ['plus', `+1 ${randomUUID().slice(0, 8)}@tricky.example`, '+1 Plus'],
    ['minus', `-1 ${randomUUID().slice(0, 8)}@tricky.example`, '-1 Minus, "Quoted"'],
    ['at', `@SUM(1) ${randomUUID().slice(0, 8)}@tricky.example`, '@SUM(1)\nsecond line'],
    ['tab', `\t${randomUUID().slice(0, 8)}@tricky.example`, '\tTabbed'],
    ['carriage return', `\r${randomUUID().slice(0, 8)}@tricky.example`, '\rCarriage'],
    ['quote and comma', `"q,${randomUUID().slice(0, 8)}"@tricky.example`, `O'Brien, "Bob" ${emoji}`],
  ];

  it.each(profileVariants)('profile.csv guards and quotes a %s-led email and name', async (_label, email, name) => {
    const subject = await createUser(email, name, '2025-01-01T00:00:00.000Z', null);
    const exported = await exportOf(subject);
    const text = checkCsvBytes(exported.files.get('profile.csv')!, 'profile.csv');
    const profile = parseCsv(text);
    expect(profile).toHaveLength(2);
    expect(profile[1]).toEqual(expectedProfileRow(await dbProfile(subject.userId)));
    expect(profile[1]![4]).toBe('');
    // No events: events.csv is the header alone.
    expect(checkCsvBytes(exported.files.get('events.csv')!, 'events.csv')).toBe('event_id,type,occurred_at,properties\n');
    checkManifest(exported, subject, 0);
  });
});
