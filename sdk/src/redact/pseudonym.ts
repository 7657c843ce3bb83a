import { createHmac, createSecretKey } from 'node:crypto';

export type Pseudonymizer = (kind: string, value: string) => string;

/**
 * The first 8 hex digits of HMAC-SHA256(key, kind + NUL + value). Keyed so that a low-entropy datum
 * (a phone number) cannot be recovered by hashing candidates without the project key.
 */
export function createKeyedHash(key: string | Uint8Array): Pseudonymizer {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (keyBytes.length === 0) throw new Error('redaction key must not be empty');
  // A key object is prepared once; a raw key would be imported again for every token.
  const secret = createSecretKey(keyBytes);
  return (kind, value) =>
    createHmac('sha256', secret).update(kind).update('\u0000').update(value).digest('hex').slice(0, 8);
}

/** `[kind:8 hex]`, the token without context. */
export function createPseudonymizer(key: string | Uint8Array): Pseudonymizer {
  const hash = createKeyedHash(key);
  return (kind, value) => `[${kind}:${hash(kind, value)}]`;
}

/** Same datum, same token: case and formatting that do not change identity are removed first. */
export function normalizeForHash(kind: string, value: string): string {
  switch (kind) {
    case 'email':
      return value.trim().toLowerCase();
    case 'phone':
      return phoneForHash(value);
    case 'card':
    case 'ssn':
      return value.replace(/\D/g, '');
    case 'iban':
      return value.replace(/\s/g, '').toUpperCase();
    case 'ip':
      return value.toLowerCase();
    default:
      return value;
  }
}

/**
 * One number, one form, where the writing says which number it is: `00 44 …` and `+44 …` are the
 * same, and a North American number reads the same as `(415) 555-0132`, `1-415-555-0132`,
 * `001 415 555 0132` and `+1 415 555 0132`. A national number with a trunk `0` (`020 7946 0958`) does
 * not say its country and keeps its own form. An extension is part of the number.
 */
function phoneForHash(value: string): string {
  const ext = /(?:x|ext\.?|extension)\s*(\d{1,6})\s*$/i.exec(value);
  const main = ext === null ? value : value.slice(0, ext.index);
  let d = main.replace(/[^\d+]/g, '');
  if (d.startsWith('00')) d = `+${d.slice(2)}`;
  else if (!d.startsWith('+')) {
    if (d.length === 10 && d[0] !== '0') d = `+1${d}`;
    else if (d.length === 11 && d[0] === '1') d = `+${d}`;
  }
  return ext === null ? d : `${d}x${ext[1]}`;
}
