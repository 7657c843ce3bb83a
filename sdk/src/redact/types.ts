/** A user-supplied detector: `pattern` is matched against every scanned string. */
export interface CustomPattern {
  kind: string;
  rule: string;
  pattern: RegExp;
}

export interface RedactionOptions {
  /** Project key for the pseudonym HMAC: one key gives the same token for the same datum in every run. */
  key: string | Uint8Array;
  /** Longer values are truncated after redaction; their length and keyed hash are kept. Default 16 KiB. */
  maxValueLength?: number;
  /** Extra field names whose values are always redacted (added to the built-ins, case/format-insensitive). */
  sensitiveFields?: string[];
  customPatterns?: CustomPattern[];
  /** Budget for one value; past it the value is dropped (`[redaction_error]`). Default 250 ms. */
  maxTimeMsPerValue?: number;
  /**
   * `keep` (default): tokens keep investigative context, never identity (`[email:7f3a9c12@globex.example]`,
   * `[card:7f3a9c12·4242 visa]`, `[iban:7f3a9c12·DE]`, `[base64:4.1kB sha256:… aws_key]`). `strict`: kind
   * and hash only, and context is removed from tokens already in the text.
   */
  tokenContext?: 'keep' | 'strict';
}

export interface RedactionFinding {
  kind: string;
  rule: string;
  start: number;
  end: number;
}

export interface RedactResult {
  text: string;
  /** Number of redactions made (pseudonym tokens, field-name drops, truncations, errors). */
  count: number;
  /** Distinct rule IDs that fired, sorted. */
  rules: string[];
  /** One entry per redaction, in output order (kind and rule only: never the value). */
  redactions: { kind: string; rule: string }[];
}

export interface RedactAttributesResult {
  attributes: Record<string, unknown>;
  count: number;
  rules: string[];
}

export interface Redactor {
  readonly version: string;
  /** Findings with offsets into `text`, no redaction. */
  scan(text: string): RedactionFinding[];
  redactString(value: string, fieldName?: string): RedactResult;
  /** Redact a whole attribute map (values: string | number | boolean | arrays | nested objects). */
  redactAttributes(attrs: Record<string, unknown>): RedactAttributesResult;
}

/**
 * One built-in detector. `keywords` (case-sensitive literals) gate the regex: it runs only if one occurs
 * in the text. Only worth it where the regex itself is slow to reject; literal-prefixed regexes are not.
 */
export interface Detector {
  rule: string;
  kind: string;
  /** Higher wins when two findings overlap (provider formats beat generic rules). */
  priority: number;
  keywords?: readonly string[];
  /**
   * Literal prefixes every match starts with (case-sensitive). The scanner finds all provider prefixes
   * in one pass and runs only the rules whose prefix occurs; a rule without prefixes always runs.
   */
  prefixes?: readonly string[];
  pattern: RegExp;
  /** Capture group holding the secret; 0 = the whole match. */
  group?: number;
  /** Extra check on the secret (checksum, entropy, context); `text`/`start` give the surroundings. */
  validate?: (value: string, text: string, start: number) => boolean;
}
