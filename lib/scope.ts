import type { SessionAdmin } from '../types/next-auth';
import type { RequestOrigin } from './request-origin';

/** What every query filters by: taken from the session, never from the request. */
export interface Scope {
  tenantId: string;
  environmentId: string;
}

export function scopeOf(admin: SessionAdmin): Scope {
  return { tenantId: admin.tenantId, environmentId: admin.environmentId };
}

/** The signed-in admin as audit rows record them: who (from the session) and from where. */
export interface Actor {
  id: string;
  origin: RequestOrigin;
}
