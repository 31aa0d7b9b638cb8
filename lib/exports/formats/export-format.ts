import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { ExportFormatName } from '../export.contracts';
import type { EventsQuery } from '../events-copy';

/** The profile fields every format writes, in this order. */
export interface ProfileRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
  last_login_at: Date | null;
}

/**
 * One export format: how the user's events and profile become files inside the export
 * archive. Adding a format is a module implementing this plus one line in ./index.ts.
 */
export interface ExportFormat {
  name: ExportFormatName;
  /** Of the files inside the archive: `events.<extension>`, `profile.<extension>`. */
  extension: string;
  /** Media type of those files (recorded in the manifest). */
  contentType: string;
  /**
   * The COPY statement that writes the events file, header (if any) included. Postgres
   * does the encoding: one pass, no per-row JavaScript.
   */
  eventsCopySql(query: EventsQuery): string;
  /** Bytes written before COPY's output (a byte order mark); empty for most formats. */
  eventsPrefix: Buffer;
  /** The profile file, whole (one user, one record). */
  profile(user: ProfileRow): Buffer;
  /** Counts the events file's records while passing its bytes through. */
  createEventsTally(): RecordTally;
  /** What this format adds to manifest.json, beside `format` and `range`. */
  manifest: Record<string, unknown>;
}

/**
 * Passes a file's bytes through unchanged while hashing them and counting records; each
 * format says what ends a record. On the hot path of million-row exports: count with
 * indexOf, never byte by byte.
 */
export abstract class RecordTally extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private digest: string | undefined;

  /** Data records so far (a header row is not one). */
  abstract get rows(): number;
  protected abstract count(chunk: Buffer): void;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.count(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback();
  }

  /** sha256 of every byte seen; available once the stream has ended. */
  get sha256(): string {
    if (!this.digest) throw new Error(`${this.constructor.name}: sha256 is known only after the stream ends`);
    return this.digest;
  }
}
