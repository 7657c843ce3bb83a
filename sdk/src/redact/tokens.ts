import { cardBrand } from './checks.js';

/**
 * Pseudonym tokens keep investigative context, never identity:
 *
 * | datum | token |
 * |---|---|
 * | any | `[aws_key:7f3a9c12]` — kind and keyed hash |
 * | e-mail address | `[email:7f3a9c12@globex.example]` — the domain, not the local part |
 * | payment card | `[card:7f3a9c12·4242 visa]` — last four digits and network |
 * | IBAN | `[iban:7f3a9c12·DE]` — the country |
 * | webhook URL | `[slack_webhook:7f3a9c12·hooks.slack.com]` — the host |
 * | encoded blob | `[base64:4.1kB sha256:7f3a9c12 aws_key,email]` — encoding, decoded size, keyed hash of the content, kinds found inside |
 *
 * The hash is the same in every mode, so a datum is followed across runs and projects with context or
 * without. In `strict` mode a token carries nothing but kind and hash (`[email:7f3a9c12]`), and a blob
 * reads as its most sensitive content (`[aws_key:<hash of the blob>]`).
 */
export type TokenContext = 'keep' | 'strict';

/** What an encoded blob held, for its token. */
export interface BlobInfo {
  encoding: 'base64' | 'urlencoded';
  /** Size of the decoded content in bytes. */
  bytes: number;
  /** Kinds found inside, most sensitive first. */
  kinds: string[];
}

// Kind, then either `hash` with optional context (`@domain` or `·text`) or `size sha256:hash kinds`.
export const TOKEN_SOURCE =
  '\\[([a-z][a-z0-9_-]{0,31}):(?:([0-9a-f]{4,64})(?:@([a-z0-9][a-z0-9.-]{0,252})|·([^\\]\\n]{1,64}))?…?|(\\d+(?:\\.\\d)?[kMG]?B) sha256:([0-9a-f]{4,64})(?: ([a-z0-9_,-]{1,160}))?)\\]';

/** Human size of a decoded blob: `512B`, `4.1kB`, `2.3MB` (SI units, one decimal below ten). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes}B`;
  for (const [unit, div] of [
    ['kB', 1e3],
    ['MB', 1e6],
    ['GB', 1e9],
  ] as const) {
    const v = bytes / div;
    if (v < 1000 || unit === 'GB') return `${v < 10 ? v.toFixed(1) : Math.round(v)}${unit}`;
  }
  return `${bytes}B`;
}

const WEBHOOK_HOST = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s@]+)/i;

/** The context a token keeps for this datum (`@domain`, `·4242 visa`, `·DE`, `·host`), or ''. */
export function tokenContext(kind: string, value: string): string {
  switch (kind) {
    case 'email': {
      const at = value.lastIndexOf('@');
      const domain =
        at === -1
          ? ''
          : value
              .slice(at + 1)
              .trim()
              .toLowerCase();
      return /^[a-z0-9][a-z0-9.-]{0,252}$/.test(domain) ? `@${domain}` : '';
    }
    case 'card': {
      const digits = value.replace(/\D/g, '');
      if (digits.length < 12) return '';
      const brand = cardBrand(digits);
      return `·${digits.slice(-4)}${brand === undefined ? '' : ` ${brand}`}`;
    }
    case 'iban': {
      const country = value.replace(/\s/g, '').slice(0, 2).toUpperCase();
      return /^[A-Z]{2}$/.test(country) ? `·${country}` : '';
    }
    default: {
      if (!kind.endsWith('_webhook')) return '';
      const host = WEBHOOK_HOST.exec(value)?.[1]?.toLowerCase();
      return host === undefined ? '' : `·${host}`;
    }
  }
}

export function formatToken(kind: string, hash: string, context: string): string {
  return `[${kind}:${hash}${context}]`;
}

export function formatBlobToken(blob: BlobInfo, hash: string, mode: TokenContext): string {
  if (mode === 'strict') return `[${blob.kinds[0] ?? blob.encoding}:${hash}]`;
  const kinds = blob.kinds.length === 0 ? '' : ` ${blob.kinds.join(',')}`;
  return `[${blob.encoding}:${formatSize(blob.bytes)} sha256:${hash}${kinds}]`;
}

const TOKEN_RE = new RegExp(TOKEN_SOURCE, 'g');

/**
 * Rewrites tokens that carry context to context-free ones (`[email:7f3a9c12@x.example]` →
 * `[email:7f3a9c12]`): what a strict project's collector does to tokens an SDK made with context.
 */
export function stripTokenContext(text: string): string {
  if (!text.includes('[')) return text;
  return text.replace(
    TOKEN_RE,
    (
      whole,
      kind: string,
      hash?: string,
      domain?: string,
      ctx?: string,
      _size?: string,
      blobHash?: string,
      kinds?: string,
    ) => {
      if (blobHash !== undefined) return `[${kinds?.split(',')[0] ?? kind}:${blobHash}]`;
      return domain === undefined && ctx === undefined ? whole : `[${kind}:${hash}]`;
    },
  );
}
