import { type ClickHouseClient, createClient } from '@clickhouse/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, literal, literalArray, uint, wellFormed } from './sql.js';

/** Characters that break naive escaping, mixed with arbitrary UTF-16 code units and code points. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "'",
      '\\',
      '`',
      '"',
      '\0',
      '\n',
      '\r',
      '\t',
      '\b',
      '\x7f',
      '\uD800',
      '\uDFFF',
      '😀',
      '\uFFFD',
      '%',
      '?',
      '{',
      '}',
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  ),
  maxLength: 60,
});

describe('SQL escaping (pure)', () => {
  it('leaves no unescaped quote, backslash or control character inside a literal', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const body = literal(s).slice(1, -1);
        // Remove every escape sequence; what is left must hold no quote, backslash or control char.
        const bare = body.replace(/\\(x[0-9a-f]{2}|.)/gs, '');
        expect(bare).not.toMatch(/['\\`\u0000-\u001f\u007f]/);
        expect(wellFormed(bare)).toBe(bare);
      }),
    );
  });

  it('refuses anything that is not an unsigned 64-bit integer', () => {
    expect(uint(18_446_744_073_709_551_615n)).toBe('18446744073709551615');
    expect(uint(0)).toBe('0');
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 64, -1n, 18_446_744_073_709_551_616n]) {
      expect(() => uint(bad)).toThrow(/UInt64/);
    }
    expect(() => ident('')).toThrow();
  });
});

const url = process.env.CLICKHOUSE_URL;

describe.skipIf(!url)(
  `SQL escaping round-trips through ClickHouse${url ? '' : ' (skipped: CLICKHOUSE_URL not set)'}`,
  () => {
    let client: ClickHouseClient;
    beforeAll(() => {
      client = createClient({ url });
    });
    afterAll(async () => {
      await client.close();
    });

    const one = async (sql: string) => {
      const rows = await (await client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>();
      return rows[0] as Record<string, unknown>;
    };

    it('SELECT literal(s) returns s (lone surrogates as U+FFFD)', async () => {
      await fc.assert(
        fc.asyncProperty(nasty, async (s) => {
          const row = await one(`SELECT ${literal(s)} AS v, length(${literal(s)}) AS n`);
          expect(row.v).toBe(wellFormed(s));
          expect(Number(row.n)).toBe(Buffer.byteLength(wellFormed(s), 'utf8'));
        }),
        { numRuns: 300 },
      );
    });

    it('an array of literals and a literal compared with itself stay intact', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(nasty, { maxLength: 5 }), async (values) => {
          const row = await one(`SELECT ${literalArray(values)} AS v`);
          expect(row.v).toEqual(values.map(wellFormed));
        }),
        { numRuns: 100 },
      );
    });

    it('SELECT 1 AS ident(s) names the column s', async () => {
      await fc.assert(
        fc.asyncProperty(
          nasty.filter((s) => s.length > 0),
          async (s) => {
            const result = await client.query({ query: `SELECT 1 AS ${ident(s)}`, format: 'JSON' });
            const json = await result.json<Record<string, unknown>>();
            expect(json.meta?.[0]?.name).toBe(wellFormed(s));
          },
        ),
        { numRuns: 200 },
      );
    });
  },
);
