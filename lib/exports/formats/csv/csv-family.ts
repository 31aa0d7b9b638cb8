import type { ExportFormatName } from '../../export.contracts';
import type { ExportFormat } from '../export-format';
import { CsvTally } from './csv-tally';
import { eventsCsvCopySql } from './events-csv-sql';
import { profileCsv } from './profile-csv';

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The CSV formats: RFC 4180, LF, a header row, the formula guard. They differ only in a
 * UTF-8 byte order mark, which spreadsheets (Excel, LibreOffice's default import) need to
 * read the file as UTF-8 rather than a legacy code page.
 */
export function csvFamilyFormat(name: ExportFormatName, options: { bom: boolean }): ExportFormat {
  const prefix = options.bom ? utf8Bom : Buffer.alloc(0);
  return {
    name,
    extension: 'csv',
    contentType: 'text/csv; charset=utf-8; header=present',
    eventsCopySql: eventsCsvCopySql,
    eventsPrefix: prefix,
    profile: (user) => Buffer.concat([prefix, Buffer.from(profileCsv(user), 'utf8')]),
    createEventsTally: () => new CsvTally(),
    manifest: { mediaType: 'text/csv', header: true, bom: options.bom, formulaGuard: true },
  };
}
