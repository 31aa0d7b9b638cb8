import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import { exportDedupeWindowMs } from '../../lib/exports/export.service';

/**
 * Makes the next POST for these users a new request, not a repeated click: their completed
 * exports are aged past the same-admin dedupe window (export.service.ts), which would
 * otherwise (rightly) hand the last export back instead of starting one.
 */
export async function ageCompletedExports(db: Db, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await sql`update exports set created_at = created_at - make_interval(secs => ${(exportDedupeWindowMs * 2) / 1000})
            where user_id = any(${userIds}::uuid[]) and status = 'completed'
              and created_at > now() - make_interval(secs => ${(exportDedupeWindowMs * 2) / 1000})`.execute(db);
}
