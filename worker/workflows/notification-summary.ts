import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { failureTypes } from '../../lib/temporal/failure-types';

/**
 * Why the mail about an export was finally not sent, as the history shows it ("Notification
 * not sent: …"). Fixed sentences, never the failure's own text, which names the mail server.
 */
export function notificationFailureReason(error: unknown, maxAttempts: number): string {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure && cause.type === failureTypes.mailRejected) return 'the mail server refused the message.';
  if (cause instanceof ApplicationFailure && cause.type === failureTypes.mailUnavailable)
    return `the mail server could not be reached (${maxAttempts} attempts).`;
  if (cause instanceof TimeoutFailure) return 'the mail server did not answer in time.';
  return 'of an unexpected error while sending the mail.';
}
