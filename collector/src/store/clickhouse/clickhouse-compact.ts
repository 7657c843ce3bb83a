/**
 * Reads a `FORMAT JSONCompact` answer as it streams in. Rows arrive as arrays (no column name
 * repeated in every row, as JSONEachRow does: a third of a span row's bytes) and are parsed one line
 * at a time, so a large answer is never held as one string. 18.16 has no JSONCompactEachRow; its
 * JSONCompact writes the header, then one row per line, then a footer with the row count, which is
 * checked: an answer cut short, or an error the server appends once rows were sent, is an error
 * here, never a shorter result.
 */

export interface CompactRows {
  /** Column names in select order. */
  names: string[];
  rows: unknown[][];
}

export class CompactFormatError extends Error {}

const ROW_PREFIX = '\t\t[';
const DATA_LINE = '\t"data":';
const DATA_END = '\t]';

type Phase = 'header' | 'data' | 'footer';

/** Incremental parser: `push` each decoded text chunk, then `end`. */
export class CompactReader {
  private phase: Phase = 'header';
  private pending = '';
  private header = '';
  private footer = '';
  private readonly out: CompactRows = { names: [], rows: [] };

  push(text: string): void {
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.pending += text;
      return;
    }
    this.line(this.pending + text.slice(0, nl));
    let start = nl + 1;
    for (nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  end(): CompactRows {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    if (this.phase !== 'footer') throw new CompactFormatError(`answer ended in its ${this.phase}`);
    let footer: { rows?: unknown };
    try {
      footer = JSON.parse(`{${this.footer}`) as { rows?: unknown };
    } catch {
      throw new CompactFormatError(`answer does not end as JSONCompact: ${tail(this.footer)}`);
    }
    if (footer.rows !== this.out.rows.length) {
      throw new CompactFormatError(`answer says ${String(footer.rows)} rows, ${this.out.rows.length} arrived`);
    }
    return this.out;
  }

  private line(line: string): void {
    switch (this.phase) {
      case 'header':
        if (line === DATA_LINE) {
          this.out.names = namesOf(this.header);
          this.phase = 'data';
        } else this.header += `${line}\n`;
        return;
      case 'data':
        if (line.startsWith(ROW_PREFIX)) {
          const end = line.endsWith(',') ? line.length - 1 : line.length;
          this.out.rows.push(JSON.parse(line.slice(2, end)) as unknown[]);
        } else if (line === DATA_END || line === `${DATA_END},`) this.phase = 'footer';
        else if (line !== '\t[' && line !== '') throw new CompactFormatError(`unexpected line in rows: ${tail(line)}`);
        return;
      case 'footer':
        this.footer += `${line}\n`;
    }
  }
}

function namesOf(header: string): string[] {
  try {
    const parsed = JSON.parse(`${header}"data": []}`) as { meta: { name: string }[] };
    return parsed.meta.map((m) => m.name);
  } catch {
    throw new CompactFormatError(`answer does not start as JSONCompact: ${tail(header)}`);
  }
}

const tail = (text: string) => (text.length > 200 ? `…${text.slice(-200)}` : text).trim();

/** Reads a whole JSONCompact answer from a byte stream. */
export async function readCompact(stream: AsyncIterable<Uint8Array>): Promise<CompactRows> {
  const reader = new CompactReader();
  const decoder = new TextDecoder();
  for await (const chunk of stream) reader.push(decoder.decode(chunk, { stream: true }));
  reader.push(decoder.decode());
  return reader.end();
}
