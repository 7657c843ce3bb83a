/**
 * The only way values enter ClickHouse SQL. ClickHouse 18.16 has no query parameters, so every
 * string is spliced as a literal; these functions are property-tested against a real server
 * (`sql.test.ts`). Trace content is attacker-controlled: never build SQL from strings any other way.
 */

// A JS string may hold lone UTF-16 surrogates, which have no UTF-8 encoding. They become U+FFFD,
// exactly what the UTF-8 encoder of the HTTP body would do, so the literal is what the server sees.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ANY_SURROGATE = /[\uD800-\uDFFF]/;

export function wellFormed(value: string): string {
  // Fast path: almost every string has no surrogate at all (emoji are pairs and pass the slow path).
  return ANY_SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '`': '\\`',
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// Backslash, both quote characters and every ASCII control character are escaped; everything
// else (including all non-ASCII text) is passed through as UTF-8.
const NEEDS_ESCAPE = /[\\'`\u0000-\u001f\u007f]/g;

function escapeBody(value: string): string {
  return wellFormed(value).replace(
    NEEDS_ESCAPE,
    (ch) => ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** A ClickHouse string literal: `'...'`. */
export function literal(value: string): string {
  return `'${escapeBody(String(value))}'`;
}

/** A ClickHouse identifier (database, table, column, alias): `` `...` ``. */
export function ident(name: string): string {
  if (name.length === 0) throw new Error('empty SQL identifier');
  return `\`${escapeBody(name)}\``;
}

/** An unsigned integer literal; throws on anything that is not one (fractions, negatives, NaN). */
export function uint(value: bigint | number): string {
  const n = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (n < 0n || n > 18_446_744_073_709_551_615n) throw new Error(`not a UInt64: ${String(value)}`);
  return n.toString();
}

/** `[lit, lit, ...]` for an Array(String) value. */
export function literalArray(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}
