/**
 * The raw-COPY baseline's SQL (issue 10): the user's rows as Postgres prints them, with no
 * RFC 3339 formatting and no formula guard, so "product ÷ raw COPY" shows what the whole
 * product costs over the floor set by Postgres, the ZIP writer and the upload. Same rows in
 * the same order as the export (events_user_time_idx serves the order without a sort).
 */
export function rawEventsCopySql(scope: { tenantId: string; environmentId: string; userId: string }): string {
  return `copy (
    select id, type, occurred_at, properties from events
    where tenant_id = ${uuid(scope.tenantId)} and environment_id = ${uuid(scope.environmentId)} and user_id = ${uuid(scope.userId)}
    order by occurred_at, id
  ) to stdout with (format csv, header true)`;
}

// COPY takes no bind parameters: inline ids only after a strict check.
function uuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new Error(`not a UUID: ${value}`);
  return `'${value}'::uuid`;
}
