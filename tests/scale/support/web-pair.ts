import { randomBytes } from 'node:crypto';
import type { StartedChild } from '../../../scripts/lib/child-process';
import { ApiSession } from '../../../scripts/bench/api-session';
import { findFreePort } from '../../../scripts/stack/index';
import { startWeb } from '../../support/processes';

/**
 * Two instances of the production web app on one stack, as behind a load balancer: one
 * NEXTAUTH_SECRET, so a session signed in on either is good on both.
 */
export interface WebPair {
  urls: [string, string];
  /** The admin's session, alternating: request i goes to instance i % 2. */
  signIn(email: string, password: string): Promise<AlternatingSession>;
  stop(): Promise<void>;
}

export interface AlternatingSession {
  at(index: number): ApiSession;
}

/** Two free ports and their URLs, picked before the instances start (workers' APP_URL names the first). */
export async function webPairAddresses(): Promise<{ ports: [number, number]; urls: [string, string] }> {
  const ports: [number, number] = [await findFreePort(), await findFreePort()];
  return { ports, urls: [`http://127.0.0.1:${ports[0]}`, `http://127.0.0.1:${ports[1]}`] };
}

export async function startWebPair(env: Record<string, string>, addresses?: Awaited<ReturnType<typeof webPairAddresses>>): Promise<WebPair> {
  const secret = randomBytes(32).toString('hex');
  const { ports, urls } = addresses ?? (await webPairAddresses());
  const started = await Promise.allSettled(ports.map((port, i) => startWeb({ ...env, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: urls[i]! }, port)));
  const procs = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => void (await Promise.all(procs.map((p: StartedChild) => p.stop())));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    urls,
    stop,
    async signIn(email, password) {
      const first = await ApiSession.signIn(urls[0], email, password);
      const both = [first, first.at(urls[1])];
      return { at: (index) => both[index % 2]! };
    },
  };
}
