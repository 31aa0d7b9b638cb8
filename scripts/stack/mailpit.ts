import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { sleep, spawnManaged, type ManagedProcess } from './processes';

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

  const proc = await spawnManaged({
    name: 'mailpit',
    bin: opts.bin,
    dataDir: opts.dataDir,
    log: opts.verbose ? opts.log : undefined,
    args: [
      '--smtp', `127.0.0.1:${opts.smtpPort}`,
      '--listen', `127.0.0.1:${opts.uiPort}`,
      '--database', path.join(stateDir, 'mailpit.db'),
      // Plain SMTP without auth on loopback: the app's SMTP_URL has no credentials locally.
      '--smtp-auth-allow-insecure',
      // No version check against GitHub at start (the machine may be offline).
      '--disable-version-check',
      ...(opts.verbose ? [] : ['--quiet']),
    ],
  });

  try {
    await waitUntilReady(proc, uiUrl, opts.timeoutMs ?? 30_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { smtpUrl, uiUrl, stop: proc.stop };
}

async function waitUntilReady(proc: ManagedProcess, uiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not polled yet';
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      const info = await proc.exited;
      throw new Error(`Mailpit exited during startup (${info.signal ?? `exit ${info.code}`})\n--- last output ---\n${proc.tail()}`);
    }
    try {
      // readyz answers once both the SMTP and HTTP servers listen.
      const res = await fetch(`${uiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
      lastError = `${uiUrl}/readyz answered HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`Mailpit not ready within ${timeoutMs / 1000}s at ${uiUrl}: ${lastError}\n--- last output ---\n${proc.tail()}`);
}
