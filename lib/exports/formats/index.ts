import type { ExportFormatName } from '../export.contracts';
import { csvExcelFormat } from './csv-excel.format';
import { csvFormat } from './csv.format';
import type { ExportFormat } from './export-format';
import { jsonlFormat } from './jsonl.format';

/**
 * Every export format, by name. A new format is a module and a line here; its name, label
 * and description go in exportFormatCatalog (export.contracts.ts), which the API and the UI
 * read, and the `satisfies` below keeps the two lists equal.
 */
const exportFormats = {
  csv: csvFormat,
  'csv-excel': csvExcelFormat,
  jsonl: jsonlFormat,
} satisfies Record<ExportFormatName, ExportFormat>;

/** The format of that name; none is csv (exports from before formats existed). */
export function exportFormat(name: ExportFormatName | undefined | null): ExportFormat {
  const format = exportFormats[name ?? 'csv'];
  if (!format) throw new Error(`Unknown export format ${JSON.stringify(name)}`);
  return format;
}
