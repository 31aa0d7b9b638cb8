import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { Scope } from '../scope';

/** How long a key keeps returning its export: 24 h, as the issue and the draft suggest. */
export const idempotencyKeyTtlSeconds = 24 * 3600;

/**
 * Serialises requests carrying the same key from the same admin, whichever user they name,
 * so a key is bound once. Taken before the per-user lock (always in that order).
 */
export async function lockIdempotencyKey(tx: Transaction<Database>, adminId: string, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`export-idempotency:${adminId}:${key}`}, 0))`.execute(tx);
}

/** The live (under 24 h old) binding of this admin's key, within the admin's tenant. */
export function findIdempotencyKey(tx: Transaction<Database>, tenantId: string, adminId: string, key: string) {
  return tx
    .selectFrom('export_idempotency_keys')
    .select(['environment_id', 'user_id', 'export_id'])
    .where('tenant_id', '=', tenantId)
    .where('admin_id', '=', adminId)
    .where('key', '=', key)
    .where('created_at', '>', sql<Date>`now() - make_interval(secs => ${idempotencyKeyTtlSeconds})`)
    .executeTakeFirst();
}

/** Binds the key to the export, replacing an expired binding of the same key. */
export async function bindIdempotencyKey(
  tx: Transaction<Database>,
  scope: Scope,
  row: { adminId: string; key: string; userId: string; exportId: string },
): Promise<void> {
  await tx
    .insertInto('export_idempotency_keys')
    .values({
      admin_id: row.adminId,
      key: row.key,
      tenant_id: scope.tenantId,
      environment_id: scope.environmentId,
      user_id: row.userId,
      export_id: row.exportId,
    })
    .onConflict((oc) =>
      oc.columns(['admin_id', 'key']).doUpdateSet({
        tenant_id: scope.tenantId,
        environment_id: scope.environmentId,
        user_id: row.userId,
        export_id: row.exportId,
        created_at: sql`now()`,
      } as never),
    )
    .execute();
}
