import { mkdir, writeFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const historiesDir = new URL('../fixtures/histories/', import.meta.url);

/**
 * With CAPTURE_HISTORIES=1, stores a finished workflow's history under
 * tests/fixtures/histories/ so the replay test can check that today's workflow code
 * still reproduces it (a non-deterministic change then fails the build).
 */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.CAPTURE_HISTORIES) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(historiesDir, { recursive: true });
  const plain = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, bytes: String });
  await writeFile(new URL(`${name}.json`, historiesDir), JSON.stringify(plain, null, 1));
}

/** Reads a history written by saveHistory. */
export function parseHistory(json: string): temporal.api.history.v1.IHistory {
  return temporal.api.history.v1.History.fromObject(JSON.parse(json));
}
