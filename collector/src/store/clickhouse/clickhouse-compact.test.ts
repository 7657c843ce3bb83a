import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompactFormatError, readCompact } from './clickhouse-compact.js';
import { literal } from './sql.js';

/** What 18.16 sends for `SELECT 'a\nb' AS s, [1,2] AS x, toUInt64(5) AS u FORMAT JSONCompact` over two rows. */
const ANSWER = `{
\t"meta":
\t[
\t\t{
\t\t\t"name": "s",
\t\t\t"type": "String"
\t\t},
\t\t{
\t\t\t"name": "x",
\t\t\t"type": "Array(UInt8)"
\t\t},
\t\t{
\t\t\t"name": "u",
\t\t\t"type": "UInt64"
\t\t}
\t],

\t"data":
\t[
\t\t["a\\nb ü€😀", [1,2], "5"],
\t\t["\\t\\"],[", [], "18446744073709551615"]
\t],

\t"rows": 2,

\t"statistics":
\t{
\t\t"elapsed": 0.000017763,
\t\t"rows_read": 2,
\t\t"bytes_read": 2
\t}
}
`;

async function* chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const read = (text: string, size = 1 << 16) => readCompact(chunks(new TextEncoder().encode(text), size));

describe('JSONCompact reader', () => {
  it('reads names and rows however the bytes are split, multi-byte characters included', async () => {
    for (const size of [1, 2, 3, 7, 64, 1 << 16]) {
      const { names, rows } = await read(ANSWER, size);
      expect(names).toEqual(['s', 'x', 'u']);
      expect(rows).toEqual([
        ['a\nb ü€😀', [1, 2], '5'],
        ['\t"],[', [], '18446744073709551615'],
      ]);
    }
  });

  it('reads an empty answer', async () => {
    const empty = ANSWER.replace(/\t"data":\n\t\[\n[\s\S]*?\n\t\],/, '\t"data":\n\t[\n\n\t],').replace(
      '"rows": 2',
      '"rows": 0',
    );
    expect(await read(empty)).toEqual({ names: ['s', 'x', 'u'], rows: [] });
  });

  it('refuses an answer cut short, one with an error after its rows, and one whose row count differs', async () => {
    await expect(read(ANSWER.slice(0, ANSWER.indexOf('\t\t["\\t')))).rejects.toThrow(/ended in its data/);
    await expect(read(ANSWER.slice(0, ANSWER.indexOf('\t"statistics"')))).rejects.toThrow(CompactFormatError);
    const failed = `${ANSWER.slice(0, ANSWER.indexOf('\t\t["\\t'))}Code: 241, e.displayText() = DB::Exception: Memory limit exceeded\n`;
    await expect(read(failed)).rejects.toThrow(/unexpected line in rows: Code: 241/);
    await expect(read(ANSWER.replace('"rows": 2', '"rows": 3'))).rejects.toThrow(/says 3 rows, 2 arrived/);
    await expect(read('Code: 60, e.displayText() = DB::Exception: Table x does not exist\n')).rejects.toThrow(
      /ended in its header/,
    );
  });
});

const url = process.env.CLICKHOUSE_URL;

describe.skipIf(!url)(`JSONCompact reader against ClickHouse${url ? '' : ' (skipped: CLICKHOUSE_URL not set)'}`, () => {
  let client: ClickHouseClient;
  beforeAll(() => {
    client = createClient({ url });
  });
  afterAll(async () => {
    await client.close();
  });

  it('gives the rows JSONEachRow gives, for awkward strings and an answer of many chunks', async () => {
    const awkward = ['', 'a\nb', '\t\t[', '"],\n\t\t[', '\\', 'ü€😀', '\u0000\u001f', 'x'.repeat(200_000)];
    const sql = `SELECT arrayJoin([${awkward.map(literal).join(', ')}]) AS s, [s, 'k'] AS a, toUInt64(length(s)) AS n, number FROM system.numbers LIMIT ${awkward.length * 20}`;
    const expected = await (await client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    const { stream } = await client.exec({ query: `${sql} FORMAT JSONCompact` });
    const { names, rows } = await readCompact(stream);
    expect(names).toEqual(['s', 'a', 'n', 'number']);
    expect(rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])))).toEqual(expected);
    expect(rows.length).toBe(awkward.length * 20);
  });
});
