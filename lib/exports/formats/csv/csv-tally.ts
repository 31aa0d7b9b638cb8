import { RecordTally } from '../export-format';

const quote = 0x22;
const newline = 0x0a;

/**
 * Counts CSV records: line ends outside quotes. Escaped quotes ("") toggle the state twice,
 * so a plain toggle per quote is exact for RFC 4180 input.
 */
export class CsvTally extends RecordTally {
  /** Records including the header row. */
  records = 0;
  private inQuotes = false;

  get rows(): number {
    return Math.max(0, this.records - 1);
  }

  protected count(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.inQuotes) {
        const q = chunk.indexOf(quote, i);
        if (q === -1) return;
        this.inQuotes = false;
        i = q + 1;
        continue;
      }
      const q = chunk.indexOf(quote, i);
      const n = chunk.indexOf(newline, i);
      if (n !== -1 && (q === -1 || n < q)) {
        this.records++;
        i = n + 1;
      } else if (q !== -1) {
        this.inQuotes = true;
        i = q + 1;
      } else {
        return;
      }
    }
  }
}
