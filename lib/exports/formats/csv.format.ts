import { csvFamilyFormat } from './csv/csv-family';

/** Today's export: UTF-8 without BOM, as PostgreSQL's COPY … CSV writes it (SPEC §4). */
export const csvFormat = csvFamilyFormat('csv', { bom: false });
