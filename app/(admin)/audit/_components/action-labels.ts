import type { AuditActionValue } from '@/lib/audit/audit.contracts';

export const actionLabels: Record<AuditActionValue, string> = {
  'export.requested': 'Requested export',
  'export.cancelled': 'Cancelled export',
  'export.downloaded': 'Downloaded export',
  'auth.signed_in': 'Signed in',
  'audit.exported': 'Downloaded audit log',
};
