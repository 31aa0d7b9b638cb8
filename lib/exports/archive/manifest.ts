import { z } from 'zod';
import { exportFormatSchema } from '../export.contracts';

/**
 * The two manifests, declared once: manifest.json in every export's ZIP and
 * bulk-manifest.json at the root of a bulk ZIP. The writers build them through the types
 * below; tests and the benchmark read them back through the schemas, so a field renamed
 * in one place fails everywhere it is read.
 */
export const exportManifestName = 'manifest.json';
export const bulkManifestName = 'bulk-manifest.json';

const slugged = z.object({ id: z.string(), slug: z.string() });
const range = z.object({ from: z.string().nullable(), to: z.string().nullable() }).nullable();

/** One file of an export: its row count (profile: 1) and sha256 of its bytes. */
export const archivedFileSchema = z.object({ name: z.string(), rows: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type ArchivedFile = z.infer<typeof archivedFileSchema>;

export const exportManifestSchema = z.object({
  formatVersion: z.literal(1),
  format: exportFormatSchema,
  /** What the format adds (export-format.ts `manifest`): media type, BOM, formula guard. */
  formatDetails: z.record(z.string(), z.unknown()),
  /** Half-open bounds on occurred_at; null for every event. */
  range,
  tenant: slugged,
  environment: slugged,
  userId: z.string(),
  generatedAt: z.iso.datetime(),
  files: z.array(archivedFileSchema),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

export const bulkManifestSchema = z.object({
  formatVersion: z.literal(1),
  kind: z.literal('bulk'),
  bulkExportId: z.string(),
  tenant: slugged,
  environment: slugged,
  generatedAt: z.iso.datetime(),
  options: z.object({ format: exportFormatSchema, range }),
  users: z.array(
    z.object({
      userId: z.string(),
      email: z.string(),
      folder: z.string(),
      exportId: z.string(),
      rows: z.number().int(),
      bytes: z.number().int().nullable(),
      /** sha256 of the user's own export ZIP (the single export's file, as its row records it). */
      sha256: z.string().nullable(),
      /** The entries of the user's folder, as in the single export's ZIP. */
      files: z.array(z.string()),
    }),
  ),
  failures: z.array(z.object({ userId: z.string(), email: z.string(), exportId: z.string().nullable(), summary: z.string().nullable() })),
  notExported: z.array(z.object({ userId: z.string(), email: z.string(), status: z.string() })),
});
export type BulkManifest = z.infer<typeof bulkManifestSchema>;

/** Reads a manifest's bytes, failing with the schema's message when a field is missing or wrong. */
export const parseExportManifest = (bytes: Buffer | string): ExportManifest => exportManifestSchema.parse(JSON.parse(bytes.toString()));
export const parseBulkManifest = (bytes: Buffer | string): BulkManifest => bulkManifestSchema.parse(JSON.parse(bytes.toString()));

/** A manifest's bytes as written into a ZIP: indented JSON and a final newline. */
export const manifestBytes = (manifest: ExportManifest | BulkManifest): Buffer => Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
