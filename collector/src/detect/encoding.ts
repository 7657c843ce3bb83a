import { shannonEntropy } from './stats.js';
import { jsonLeaves } from './text.js';

/** Long encoded runs inside a string, decoded. Only pure helpers: severity is the rule's business. */
export type Encoding = 'base64' | 'hex' | 'percent';
export type DecodedClass = 'text' | 'image' | 'binary' | 'invalid';

export interface EncodedRun {
  encoding: Encoding;
  /** Offsets of the run (including any `data:...;base64,` prefix) in the scanned string. */
  start: number;
  end: number;
  /** MIME type declared by a `data:` prefix, or ''. */
  declaredMime: string;
  decodedClass: DecodedClass;
  /** Image type recognised from the magic header, or ''. */
  imageType: string;
  /** Decoded text when `decodedClass` is 'text'. Never put it into evidence: it was not redacted. */
  decodedText: string;
  entropy: number;
}

export interface EncodingThresholds {
  minBase64Chars: number;
  minHexChars: number;
  minPercentEscapes: number;
}

const MAX_RUNS = 20;

const MAGIC: [string, number[]][] = [
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['webp', [0x52, 0x49, 0x46, 0x46]],
  ['bmp', [0x42, 0x4d]],
  ['ico', [0x00, 0x00, 0x01, 0x00]],
];

export function imageTypeOf(bytes: Uint8Array): string {
  for (const [type, magic] of MAGIC) if (magic.every((b, i) => bytes[i] === b)) return type;
  return '';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text = valid UTF-8 with almost no control characters. */
export function classifyBytes(bytes: Uint8Array): { cls: DecodedClass; imageType: string; text: string } {
  const imageType = imageTypeOf(bytes);
  if (imageType !== '') return { cls: 'image', imageType, text: '' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { cls: 'binary', imageType: '', text: '' };
  }
  const control = text.match(/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/g)?.length ?? 0;
  if (text.length === 0 || control > text.length * 0.02) return { cls: 'binary', imageType: '', text: '' };
  return { cls: 'text', imageType: '', text };
}

function decodeBase64(run: string): Uint8Array | null {
  const body = run.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  const normal = body.replace(/-/g, '+').replace(/_/g, '/');
  return new Uint8Array(Buffer.from(normal, 'base64'));
}

// Base64 and base64url alphabets; `/` is in them, so a long URL path would match: the decoded
// class (binary for a path) and the entropy gate keep such runs from becoming findings.
const BASE64_RE = /(data:([a-z]+\/[a-z0-9.+-]+);base64,)?[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RE = /(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){8,}(?![0-9A-Za-z])/g;
const PERCENT_RE = /(?:[^\s%"'<>]{0,32}%[0-9A-Fa-f]{2})+/g;

function looksEncoded(run: string): boolean {
  // Identifiers and prose-like runs (no digits, one case) are not encodings worth decoding.
  const classes = Number(/[a-z]/.test(run)) + Number(/[A-Z]/.test(run)) + Number(/[0-9]/.test(run));
  return classes >= 2 && shannonEntropy(run) >= 4;
}

export function findEncodedRuns(text: string, t: EncodingThresholds): EncodedRun[] {
  const runs: EncodedRun[] = [];
  const covered = (start: number): boolean => runs.some((r) => start >= r.start && start < r.end);
  for (const m of text.matchAll(HEX_RE)) {
    if (runs.length >= MAX_RUNS) break;
    if (m[0].length < t.minHexChars) continue;
    const c = classifyBytes(new Uint8Array(Buffer.from(m[0], 'hex')));
    runs.push({
      encoding: 'hex',
      start: m.index,
      end: m.index + m[0].length,
      declaredMime: '',
      decodedClass: c.cls,
      imageType: c.imageType,
      decodedText: c.text,
      entropy: shannonEntropy(m[0]),
    });
  }
  for (const m of text.matchAll(BASE64_RE)) {
    if (runs.length >= MAX_RUNS) break;
    const prefix = m[1] ?? '';
    const body = m[0].slice(prefix.length);
    if (covered(m.index + prefix.length) || body.length < t.minBase64Chars) continue;
    const bytes = decodeBase64(body);
    const c = bytes ? classifyBytes(bytes) : { cls: 'invalid' as const, imageType: '', text: '' };
    // Decoding is cheap and decisive: random-looking bytes need the entropy gate, text and images do not.
    if (prefix === '' && c.cls !== 'image' && c.cls !== 'text' && !looksEncoded(body)) continue;
    runs.push({
      encoding: 'base64',
      start: m.index,
      end: m.index + m[0].length,
      declaredMime: m[2] ?? '',
      decodedClass: c.cls,
      imageType: c.imageType,
      decodedText: c.text,
      entropy: shannonEntropy(body),
    });
  }
  for (const m of text.matchAll(PERCENT_RE)) {
    if (runs.length >= MAX_RUNS) break;
    if ((m[0].match(/%/g)?.length ?? 0) < t.minPercentEscapes) continue;
    let decoded = '';
    try {
      decoded = decodeURIComponent(m[0]);
    } catch {
      continue;
    }
    runs.push({
      encoding: 'percent',
      start: m.index,
      end: m.index + m[0].length,
      declaredMime: '',
      decodedClass: 'text',
      imageType: '',
      decodedText: decoded,
      entropy: shannonEntropy(m[0]),
    });
  }
  return runs;
}

/**
 * What the baseline learns from one call's arguments: whether it sends base64 images, and which
 * argument paths carry encoded text. Text holding sensitive values is not learned as normal.
 */
export function encodedPayloads(argsText: string): { image: boolean; textPaths: string[] } {
  const out = { image: false, textPaths: [] as string[] };
  if (!/[A-Za-z0-9+/]{40}|[0-9a-fA-F]{48}/.test(argsText)) return out;
  for (const leaf of jsonLeaves(argsText)) {
    for (const r of findEncodedRuns(leaf.value, LEARN_THRESHOLDS)) {
      if (r.decodedClass === 'image') out.image = true;
      else if (r.decodedClass === 'text' && r.encoding !== 'percent' && !SENSITIVE_HINT.test(r.decodedText)) {
        if (!out.textPaths.includes(leaf.path)) out.textPaths.push(leaf.path);
      }
    }
  }
  return out;
}

const LEARN_THRESHOLDS: EncodingThresholds = { minBase64Chars: 40, minHexChars: 48, minPercentEscapes: 1e9 };
// Cheap stand-in for a full scan: tokens, e-mail addresses and common key prefixes.
const SENSITIVE_HINT = /\[[a-z_]+:[0-9a-f]{4,}|@[a-z0-9-]+\.[a-z]|AKIA|gh[pousr]_|sk-|xox[abposr]-|PRIVATE KEY/i;
