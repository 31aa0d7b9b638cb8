import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { CsvTally } from './csv-tally';

export interface ArchivedFile {
  name: string;
  rows: number;
  sha256: string;
}

export interface ExportArchive {
  /** The ZIP's bytes, to be piped into the upload. */
  zip: Readable;
  /** The events.csv tally, for progress while it streams. */
  events: CsvTally;
  /** Resolves with the files written once the ZIP is finalised. */
  done: Promise<ArchivedFile[]>;
  abort(): void;
}

/** Deflate level 6: zlib's default; the benchmark's baseline uses the same. */
export const zipCompressionLevel = 6;

/**
 * Streams profile.csv, events.csv and manifest.json into one ZIP. The manifest is written
 * last because it carries the other files' row counts and sha256s.
 */
export function createExportArchive(input: {
  profileCsv: string;
  eventsCsv: Readable;
  manifest: (files: ArchivedFile[]) => unknown;
  level?: number;
}): ExportArchive {
  const archive = new ZipArchive({ zlib: { level: input.level ?? zipCompressionLevel } });
  const events = new CsvTally();
  input.eventsCsv.on('error', (error) => archive.destroy(error));
  input.eventsCsv.pipe(events);

  const profileBytes = Buffer.from(input.profileCsv, 'utf8');
  const profile: ArchivedFile = {
    name: 'profile.csv',
    // One user, one row: counting line ends would miscount a name with a newline in it.
    rows: 1,
    sha256: createHash('sha256').update(profileBytes).digest('hex'),
  };
  archive.append(profileBytes, { name: profile.name });
  archive.append(events, { name: 'events.csv' });

  const done = (async () => {
    await finished(events);
    const files: ArchivedFile[] = [profile, { name: 'events.csv', rows: Math.max(0, events.records - 1), sha256: events.sha256 }];
    archive.append(JSON.stringify(input.manifest(files), null, 2) + '\n', { name: 'manifest.json' });
    await archive.finalize();
    return files;
  })();
  // The caller observes failures through the upload or `done`; avoid an unhandled rejection.
  done.catch(() => {});

  return {
    zip: archive,
    events,
    done,
    abort() {
      input.eventsCsv.destroy();
      archive.abort();
    },
  };
}
