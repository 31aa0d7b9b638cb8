import { getDb } from '../db/web-db';
import { decodeCursor, encodeCursor } from '../pagination/cursor';
import type { Scope } from '../scope';
import type { UserDto } from './user.contracts';
import { listUsers as listUserRows } from './user.repository';

export async function listUsers(
  scope: Scope,
  query: { search?: string; cursor?: string; limit: number },
): Promise<{ users: UserDto[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listUserRows(getDb(), scope, {
    search: query.search || undefined,
    after: after ? { email: after.sortKey, id: after.id } : undefined,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    users: page.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      eventCount: Number(u.event_count ?? 0),
      createdAt: u.created_at.toISOString(),
      lastLoginAt: u.last_login_at?.toISOString() ?? null,
      latestExport:
        u.export_id && u.export_status
          ? {
              id: u.export_id,
              status: u.export_status,
              progress: { rowsExported: u.rows_exported ?? 0, rowsTotal: u.rows_total ?? null },
              expiresAt: u.expires_at?.toISOString() ?? null,
            }
          : null,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.email, last.id) : null,
  };
}
