import { sql } from 'kysely';
import type { Db } from './client';

/**
 * Generates `count` events for one user inside Postgres (generate_series), so seeding
 * hundreds of thousands of rows takes seconds. Some properties hold commas, quotes,
 * newlines, unicode and formula triggers on purpose: the export must carry them intact.
 */
export async function insertGeneratedEvents(
  db: Db,
  scope: { tenantId: string; environmentId: string; userId: string },
  count: number,
  startAt: string,
): Promise<void> {
  if (count <= 0) return;
  await sql`
    insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
    select ${scope.tenantId}::uuid, ${scope.environmentId}::uuid, ${scope.userId}::uuid,
      (array['page_view', 'click', 'search', 'login', 'purchase'])[1 + g % 5],
      ${startAt}::timestamptz + g * interval '41 seconds',
      case
        when g % 97 = 0 then jsonb_build_object('query', '=HYPERLINK("http://x", "hi"), "quoted"' || chr(10) || 'next line', 'seq', g)
        when g % 31 = 0 then jsonb_build_object('note', 'naïve café ✓ 日本語', 'seq', g)
        else jsonb_build_object('path', '/docs/' || (g % 113), 'seq', g, 'ms', g % 1500)
      end
    from generate_series(1, ${count}::int) as g
  `.execute(db);
}
