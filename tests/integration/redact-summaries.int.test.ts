import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../lib/db/migrations';
import { createScratchDatabase } from '../support/scratch-database';
import { internalDetailPattern } from '../support/internal-detail';

/** Failed exports recorded before fixed summaries lose their raw failure text on migrate. */
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

beforeAll(async () => {
  scratch = await createScratchDatabase();
});
afterAll(async () => {
  await scratch?.drop();
});

describe('20261126100100_redact_error_summaries', () => {
  it('rewrites raw summaries to their category sentence and leaves the rest alone', async () => {
    const migrator = new Migrator({ db: scratch.db, provider: migrationProvider });
    const upTo = await migrator.migrateTo('20261126100000_audit_client');
    expect(upTo.error).toBeUndefined();

    const db = scratch.db;
    const tenant = await db.insertInto('tenants').values({ slug: 'redact', name: 'Redact' }).returning('id').executeTakeFirstOrThrow();
    const env = await db
      .insertInto('environments')
      .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = await db
      .insertInto('admins')
      .values({ tenant_id: tenant.id, email: 'a@redact.test', name: 'A', password_hash: 'x', role: 'admin' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const summaries = {
      storage: 'The export failed after 3 attempts: Storage (S3) failed or is unreachable: connect ECONNREFUSED 127.0.0.1:42651',
      database: 'The export failed after 3 attempts: The database is unreachable: connect ECONNREFUSED 10.1.2.3:5432',
      other: 'The export failed: relation "events" does not exist',
      workerLost: 'The export worker stopped responding and the retries ran out. Check that a worker is running, then request the export again.',
    };
    const ids: Record<string, string> = {};
    for (const [name, summary] of Object.entries(summaries)) {
      const user = await db
        .insertInto('users')
        .values({ tenant_id: tenant.id, environment_id: env.id, email: `${name}@redact.test`, name })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await db
        .insertInto('exports')
        .values({
          tenant_id: tenant.id,
          environment_id: env.id,
          user_id: user.id,
          requested_by: admin.id,
          workflow_id: `wf-${name}`,
          status: 'failed',
          error_summary: summary,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[name] = row.id;
    }

    const latest = await migrator.migrateToLatest();
    expect(latest.error).toBeUndefined();
    const after = Object.fromEntries(
      (await db.selectFrom('exports').select(['id', 'error_summary']).execute()).map((r) => [Object.keys(ids).find((k) => ids[k] === r.id), r.error_summary]),
    );
    expect(after.storage).toMatch(/^The export failed after 3 attempts because file storage was unreachable\./);
    expect(after.database).toMatch(/^The export failed after 3 attempts because the database was unreachable\./);
    expect(after.other).toBe('The export failed because of an unexpected error. Request it again; if it keeps failing, contact your operator.');
    expect(after.workerLost).toBe(summaries.workerLost);
    for (const summary of Object.values(after)) expect(summary).not.toMatch(internalDetailPattern);
  });
});
