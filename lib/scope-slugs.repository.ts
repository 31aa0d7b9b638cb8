import type { Db } from './db/client';
import type { Scope } from './scope';

/**
 * The tenant's and environment's slugs, for file names and manifests (audit CSV, bulk ZIP);
 * undefined when the scope's tenant or environment is gone.
 */
export function findScopeSlugs(db: Pick<Db, 'selectFrom'>, scope: Pick<Scope, 'tenantId' | 'environmentId'>) {
  return db
    .selectFrom('environments as env')
    .innerJoin('tenants as t', 't.id', 'env.tenant_id')
    .select(['t.slug as tenant_slug', 'env.slug as environment_slug'])
    .where('env.id', '=', scope.environmentId)
    .where('t.id', '=', scope.tenantId)
    .executeTakeFirst();
}
