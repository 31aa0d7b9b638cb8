import { mkdir, writeFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

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
  // The proto3 JSON form the Temporal CLI and historyFromJSON() use.
  await writeFile(new URL(`${name}.json`, historiesDir), historyToJSON(history));
}
