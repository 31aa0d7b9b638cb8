import { Migrator, NO_MIGRATIONS } from 'kysely';
import type { Db } from './client';
import { migrationProvider } from './migrations';

function migratorFor(db: Db): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

async function run(label: string, action: Promise<Awaited<ReturnType<Migrator['migrateToLatest']>>>): Promise<string[]> {
  const { error, results = [] } = await action;
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    const which = failed ? ` at ${failed.migrationName}` : '';
    throw new Error(`Migration ${label} failed${which}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return results.map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export function migrateToLatest(db: Db): Promise<string[]> {
  return run('up', migratorFor(db).migrateToLatest());
}

/** Reverts every migration; returns the names reverted. */
export function migrateAllDown(db: Db): Promise<string[]> {
  return run('down', migratorFor(db).migrateTo(NO_MIGRATIONS));
}
