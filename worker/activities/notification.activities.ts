import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../lib/db/client';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { buildExportEmail, type ExportEnding } from '../../lib/notifications/export-email';
import { MailError, type MailConfig } from '../../lib/notifications/mailer';
import { findExportEmailFacts, recordNotificationError } from '../../lib/notifications/notification.repository';
import { failureTypes } from '../../lib/temporal/failure-types';

export interface NotificationActivityDeps {
  db: Db;
  /** Absent when SMTP_URL is unset: then no mail is sent, and that is not a failure. */
  mail?: MailConfig;
}

export interface NotifyExportInput extends UserExportInput {
  ending: ExportEnding;
}

export type NotifyResult = { sent: true } | { sent: false; skipped: 'smtp-not-configured' | 'turned-off' | 'export-gone' | 'part-of-bulk' };

/**
 * Mail about an export's ending, sent as an activity of the export workflow with a retry
 * policy of its own (see user-export.workflow.ts). Failures carry a fixed type the workflow
 * turns into the history's "notification not sent" reason; the raw error (with the mail
 * server's address) goes only to the worker log.
 */
export function createNotificationActivities(deps: NotificationActivityDeps) {
  return {
    async notifyExportOutcome(input: NotifyExportInput): Promise<NotifyResult> {
      if (!deps.mail) return { sent: false, skipped: 'smtp-not-configured' };
      const scope = { tenantId: input.tenantId, environmentId: input.environmentId };
      const found = await findExportEmailFacts(deps.db, scope, input.exportId);
      if (!found) return { sent: false, skipped: 'export-gone' };
      // Read at send time: turning mail off applies to exports already running.
      if (!found.wantsMail) return { sent: false, skipped: 'turned-off' };
      // One user of a bulk export: a mail per user would flood the requester (a bulk may hold thousands).
      if (found.partOfBulk) return { sent: false, skipped: 'part-of-bulk' };
      const mail = buildExportEmail({ ...found.facts, ending: input.ending }, deps.mail.appUrl);
      try {
        await deps.mail.mailer.send(mail);
      } catch (error) {
        const permanent = error instanceof MailError && error.permanent;
        Context.current().log.warn('Export notification attempt failed', { exportId: input.exportId, permanent, error: String(error) });
        throw ApplicationFailure.create({
          type: permanent ? failureTypes.mailRejected : failureTypes.mailUnavailable,
          message: permanent ? 'The mail server refused the message' : 'The mail server could not be reached',
          nonRetryable: permanent,
        });
      }
      return { sent: true };
    },

    async recordNotificationFailure(input: UserExportInput & { reason: string }): Promise<void> {
      await recordNotificationError(deps.db, { tenantId: input.tenantId, environmentId: input.environmentId }, input.exportId, input.reason);
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
