import { csvFamilyFormat } from './csv/csv-family';

/** The same CSV with a UTF-8 byte order mark, so spreadsheets do not show mojibake. */
export const csvExcelFormat = csvFamilyFormat('csv-excel', { bom: true });
