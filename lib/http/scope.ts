import type { SessionAdmin } from '../../types/next-auth';

/** What every query filters by: taken from the session, never from the request. */
export interface Scope {
  tenantId: string;
  environmentId: string;
}

export function scopeOf(admin: SessionAdmin): Scope {
  return { tenantId: admin.tenantId, environmentId: admin.environmentId };
}
