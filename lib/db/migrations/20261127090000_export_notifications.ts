import type { Kysely } from 'kysely';

/**
 * Mail on an export's ending. `notify_on_export`: each admin may turn the mail off (on by
 * default). `notification_error`: why the mail about this export was finally not sent
 * (null when sent, not due, or turned off); the history shows it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('admins')
    .addColumn('notify_on_export', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db.schema.alterTable('exports').addColumn('notification_error', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exports').dropColumn('notification_error').execute();
  await db.schema.alterTable('admins').dropColumn('notify_on_export').execute();
}
