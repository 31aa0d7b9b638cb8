/**
 * Spreadsheets run a cell that starts with one of these as a formula (CSV injection);
 * such cells get a leading apostrophe. The SQL in events-csv-sql.ts applies the same rule.
 */
const formulaTriggers = new Set(['=', '+', '-', '@', '\t', '\r']);

export function guardFormula(value: string): string {
  return value.length > 0 && formulaTriggers.has(value[0]!) ? `'${value}` : value;
}

/** The same rule as a SQL expression over a text expression. */
export function guardFormulaSql(expression: string): string {
  return `case when left(${expression}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${expression} else ${expression} end`;
}
