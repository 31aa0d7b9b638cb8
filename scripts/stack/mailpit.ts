import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startChild } from '../lib/child-process';

/**
 * Mailpit: an SMTP server that keeps every message (nothing leaves the machine) and shows
 * them in a web UI with an HTTP API (`/api/v1/messages`), which the tests read mail through.
 * Messages live in `<dataDir>/mailpit/mailpit.db`.
 */

export interface MailpitOptions {
  bin: string;
  dataDir: string;
  smtpPort: number;
  uiPort: number;
  log?: (line: string) => void;
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunningMailpit {
  smtpUrl: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startMailpit(opts: MailpitOptions): Promise<RunningMailpit> {
  const smtpUrl = `smtp://127.0.0.1:${opts.smtpPort}`;
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  const stateDir = path.join(opts.dataDir, 'mailpit');
  await mkdir(stateDir, { recursive: true });

  const proc = await startChild({
    name: 'mailpit',
    command: opts.bin,
    pidDir: opts.dataDir,
    onLine: opts.verbose ? (line) => opts.log?.(`[mailpit] ${line}`) : undefined,
    args: [
      '--smtp',
      `127.0.0.1:${opts.smtpPort}`,
      '--listen',
      `127.0.0.1:${opts.uiPort}`,
      '--database',
      path.join(stateDir, 'mailpit.db'),
      // Plain SMTP without auth on loopback: the app's SMTP_URL has no credentials locally.
      '--smtp-auth-allow-insecure',
      // No version check against GitHub at start (the machine may be offline).
      '--disable-version-check',
      ...(opts.verbose ? [] : ['--quiet']),
    ],
    ready: { probe: () => answers(uiUrl) },
    readyTimeoutMs: opts.timeoutMs ?? 30_000,
  });

  return { smtpUrl, uiUrl, stop: proc.stop };
}

/** readyz answers once both the SMTP and HTTP servers listen. */
async function answers(uiUrl: string): Promise<boolean> {
  const res = await fetch(`${uiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${uiUrl}/readyz answered HTTP ${res.status}`);
  return true;
}
