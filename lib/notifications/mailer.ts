import nodemailer from 'nodemailer';
import { ConfigError, type SharedEnv } from '../env';
import type { OutgoingMail } from './export-email';

/** Sends one message; throws MailError so callers can tell an outage from a refusal. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** `permanent`: the server refused this message or recipient (5xx); retrying will not help. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailError';
  }
}

export interface MailConfig {
  mailer: Mailer;
  /** The app's public URL, which mail links point at. */
  appUrl: string;
}

/**
 * Mail settings from the environment: none without SMTP_URL (then no mail is sent). Links
 * need the app's public URL: APP_URL, else NEXTAUTH_URL; with SMTP but neither, the worker
 * refuses to start rather than mail links to nowhere.
 */
export function mailConfigFromEnv(env: Pick<SharedEnv, 'SMTP_URL' | 'MAIL_FROM' | 'APP_URL' | 'NEXTAUTH_URL'>): MailConfig | undefined {
  if (!env.SMTP_URL) return undefined;
  const appUrl = env.APP_URL ?? env.NEXTAUTH_URL;
  if (!appUrl) {
    throw new ConfigError(['APP_URL is required when SMTP_URL is set (the public URL of the app, which mails link to; NEXTAUTH_URL is used when set)']);
  }
  return { mailer: createSmtpMailer(env.SMTP_URL, env.MAIL_FROM), appUrl };
}

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl, {
    from,
    // Bounded, so an unresponsive server fails the attempt well inside the activity's timeout.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (error) {
        const { code, responseCode } = error as { code?: string; responseCode?: number };
        const permanent = (responseCode !== undefined && responseCode >= 500) || code === 'EENVELOPE' || code === 'EAUTH';
        throw new MailError(error instanceof Error ? error.message : String(error), permanent, { cause: error });
      }
    },
    close: () => transport.close(),
  };
}
