import { recordAudit } from '../audit/audit.repository';
import { getDb } from '../db/web-db';
import { AppError } from '../errors';
import type { Actor, Scope } from '../scope';
import type { NotificationSettings } from './notification-settings.contracts';
import { findExportEmailSetting, updateExportEmailSetting } from './notification.repository';

export async function getNotificationSettings(adminId: string): Promise<NotificationSettings> {
  return { exportEmails: await findExportEmailSetting(getDb(), adminId) };
}

/** The admin id comes from the session: an admin changes only their own setting. Audited. */
export async function setNotificationSettings(scope: Scope, actor: Actor, settings: NotificationSettings): Promise<NotificationSettings> {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      if (!(await updateExportEmailSetting(tx, actor.id, scope.tenantId, settings.exportEmails))) {
        throw new AppError('not_found', 'Your admin account was not found', 'Sign in again.');
      }
      await recordAudit(tx, {
        tenantId: scope.tenantId,
        environmentId: null,
        adminId: actor.id,
        action: 'admin.notifications_changed',
        details: { exportEmails: settings.exportEmails },
        origin: actor.origin,
      });
    });
  return settings;
}
