import type { Db } from '../db/client';

const adminColumns = [
  'admins.id',
  'admins.email',
  'admins.name',
  'admins.role',
  'admins.password_hash',
  'admins.tenant_id',
  'admins.session_version',
  'admins.disabled_at',
  'tenants.name as tenant_name',
] as const;

export function findAdminByEmail(db: Db, email: string) {
  return db
    .selectFrom('admins')
    .innerJoin('tenants', 'tenants.id', 'admins.tenant_id')
    .select(adminColumns)
    .where((eb) => eb(eb.fn('lower', ['admins.email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

export function findAdminById(db: Db, id: string) {
  return db.selectFrom('admins').innerJoin('tenants', 'tenants.id', 'admins.tenant_id').select(adminColumns).where('admins.id', '=', id).executeTakeFirst();
}

/** The tenant's environments in a stable order, production first. */
export function listEnvironments(db: Db, tenantId: string) {
  return db
    .selectFrom('environments')
    .select(['id', 'slug', 'name'])
    .where('tenant_id', '=', tenantId)
    .orderBy((eb) => eb.case().when('slug', '=', 'production').then(0).else(1).end())
    .orderBy('slug')
    .execute();
}

export function findEnvironment(db: Db, tenantId: string, environmentId: string) {
  return db.selectFrom('environments').select(['id', 'slug', 'name']).where('tenant_id', '=', tenantId).where('id', '=', environmentId).executeTakeFirst();
}
