import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../lib/db/client';
import { sharedEnv, type SharedEnv } from '../../lib/env';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { findFreePort } from '../../scripts/stack/index';
import { insertQueuedExport, pickSeededUser } from '../support/export-fixtures';
import { saveHistory } from '../support/histories';
import { findMessages, waitForMessage } from '../support/mailpit';
import { startRealWorker } from '../support/worker';

/**
 * The export workflow mails its requester through the test stack's real Mailpit (SMTP),
 * read back through Mailpit's HTTP API; and a mail outage never fails the export.
 */
const env = sharedEnv();
const harness = { env, db: createDb(env.DATABASE_URL, 2) };
afterAll(async () => {
  await harness.db.destroy();
});

/** Runs the export on the production registration; returns Temporal's status of the run. */
async function runExport(input: UserExportInput, overrides: Partial<SharedEnv> = {}): Promise<string> {
  // A worker runs once: each export gets workers of its own.
  const h = await startRealWorker(overrides);
  const workflowId = `user-export-${input.exportId}`;
  try {
    await h.run(() => h.client.workflow.execute('UserExportWorkflow', { taskQueue: h.env.TEMPORAL_TASK_QUEUE, workflowId, args: [input] }));
    await saveHistory(h.client, workflowId, overrides.SMTP_URL ? 'completed-notification-not-sent' : 'completed-and-notified');
    return (await h.client.workflow.getHandle(workflowId).describe()).status.name;
  } finally {
    await h.close();
  }
}

async function adminEmail(adminId: string): Promise<string> {
  return (await harness.db.selectFrom('admins').select('email').where('id', '=', adminId).executeTakeFirstOrThrow()).email;
}

const exportRow = (id: string) => harness.db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mail on an export ending', () => {
  it('on completion: one mail to the requesting admin, linking to the export on the history page', async () => {
    const user = await pickSeededUser(harness.db, 10, 2000);
    const input = await insertQueuedExport(harness.db, user);
    expect(await runExport(input)).toBe('COMPLETED');

    const to = await adminEmail(user.admin_id);
    const mail = await waitForMessage(to, input.exportId);
    expect(mail.Subject).toMatch(new RegExp(`^Export ready: ${escapeRegExp(user.email)} \\(`));
    expect(mail.To.map((t) => t.Address)).toEqual([to]);
    expect(mail.From.Address).toBe('exports@localhost');
    const appUrl = harness.env.APP_URL ?? harness.env.NEXTAUTH_URL;
    expect(mail.Text).toContain(`${appUrl}/exports?export=${input.exportId}`);
    const row = await exportRow(input.exportId);
    expect(row.status).toBe('completed');
    expect(mail.Text + mail.HTML).not.toContain(row.object_key!);
    expect(mail.Text + mail.HTML).not.toMatch(/X-Amz-|\/download/);
    expect(row.notification_error).toBeNull();
  });

  it('an admin who turned mail off gets none; nothing is recorded as unsent', async () => {
    const user = await pickSeededUser(harness.db, 10, 2000);
    await harness.db.updateTable('admins').set({ notify_on_export: false }).where('id', '=', user.admin_id).execute();
    try {
      const input = await insertQueuedExport(harness.db, user);
      expect(await runExport(input)).toBe('COMPLETED');
      // The workflow has ended, so its mail step is over: no mail now means none at all.
      expect(await findMessages(await adminEmail(user.admin_id), input.exportId)).toEqual([]);
      expect((await exportRow(input.exportId)).notification_error).toBeNull();
    } finally {
      await harness.db.updateTable('admins').set({ notify_on_export: true }).where('id', '=', user.admin_id).execute();
    }
  });

  it('SMTP refusing connections: the export still completes, and the row says the mail was not sent and why', async () => {
    const user = await pickSeededUser(harness.db, 10, 2000);
    const input = await insertQueuedExport(harness.db, user);
    // A port nothing listens on: every attempt is refused.
    expect(await runExport(input, { SMTP_URL: `smtp://127.0.0.1:${await findFreePort()}` })).toBe('COMPLETED');
    const row = await exportRow(input.exportId);
    expect(row.status).toBe('completed');
    expect(row.notification_error).toBe('the mail server could not be reached (4 attempts).');
    expect(await findMessages(await adminEmail(user.admin_id), input.exportId)).toEqual([]);
  }, 90_000);
});
