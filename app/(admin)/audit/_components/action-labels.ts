import type { AuditActionValue } from '@/lib/audit/audit.contracts';

export const actionLabels: Record<AuditActionValue, string> = {
  'export.requested': 'Requested export',
  'export.cancelled': 'Cancelled export',
  'export.downloaded': 'Downloaded export',
  'export.expired': 'Export expired (file deleted)',
  'auth.signed_in': 'Signed in',
  'audit.exported': 'Downloaded audit log',
  'admin.notifications_changed': 'Changed export emails',
  'bulk.requested': 'Requested bulk export',
  'bulk.cancelled': 'Cancelled bulk export',
  'bulk.downloaded': 'Downloaded bulk export',
  'bulk.expired': 'Bulk export expired (file deleted)',
};
