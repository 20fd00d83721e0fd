/** Plain-text output for operators. */

/** A left-aligned table with an upper-case header; widths count code points. */
export function formatTable(headers: string[], rows: string[][]): string {
  const width = (text: string): number => [...text].length;
  const widths = headers.map((header, column) => Math.max(width(header), ...rows.map((row) => width(row[column] ?? ''))));
  const line = (cells: string[]): string =>
    cells.map((cell, column) => cell + ' '.repeat(widths[column]! - width(cell))).join('  ').trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

/** Same form as the API's timestamps (spec §2.2): UTC, second precision, `Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function yesNo(flag: boolean): string {
  return flag ? 'yes' : 'no';
}

/** That a secret is set, and its length: never any of its characters. */
export function masked(secret: string | null): string {
  return secret === null ? '-' : `set (${secret.length} chars)`;
}
