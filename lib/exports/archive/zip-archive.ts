import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { ExportFormat, ProfileRow, RecordTally } from '../formats/export-format';
import { type ArchivedFile, type ExportManifest, exportManifestName, manifestBytes } from './manifest';

export interface ExportArchive {
  /** The ZIP's bytes, to be piped into the upload. */
  zip: Readable;
  /** The events file's tally, for progress while it streams. */
  events: RecordTally;
  /** Resolves with the files written once the ZIP is finalised. */
  done: Promise<ArchivedFile[]>;
  abort(): void;
}

/** Deflate level 6: zlib's default; the benchmark's baseline uses the same. */
export const zipCompressionLevel = 6;

/** The events file's name inside the archive, e.g. `events.csv`. */
export const eventsFileName = (format: ExportFormat) => `events.${format.extension}`;

/**
 * Streams the profile file, the events file and manifest.json into one ZIP. The manifest is
 * written last because it carries the other files' row counts and sha256s.
 */
export function createExportArchive(input: {
  format: ExportFormat;
  profile: ProfileRow;
  /** COPY's output; the format's prefix (a BOM) goes before it. */
  events: Readable;
  manifest: (files: ArchivedFile[]) => ExportManifest;
  level?: number;
}): ExportArchive {
  const { format } = input;
  const archive = new ZipArchive({ zlib: { level: input.level ?? zipCompressionLevel } });
  const events = format.createEventsTally();
  input.events.on('error', (error) => archive.destroy(error));
  if (format.eventsPrefix.length > 0) events.write(format.eventsPrefix);
  input.events.pipe(events);

  const profileBytes = format.profile(input.profile);
  const profile: ArchivedFile = {
    name: `profile.${format.extension}`,
    // One user, one row: counting line ends would miscount a name with a newline in it.
    rows: 1,
    sha256: createHash('sha256').update(profileBytes).digest('hex'),
  };
  archive.append(profileBytes, { name: profile.name });
  archive.append(events, { name: eventsFileName(format) });

  const done = (async () => {
    await finished(events);
    const files: ArchivedFile[] = [profile, { name: eventsFileName(format), rows: events.rows, sha256: events.sha256 }];
    archive.append(manifestBytes(input.manifest(files)), { name: exportManifestName });
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
      input.events.destroy();
      archive.abort();
    },
  };
}
