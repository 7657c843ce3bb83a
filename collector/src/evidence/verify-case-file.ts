import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, canonicalSpanRecord } from './canonical.js';
import { type EntryHeader, entryHash, groupHash } from './chain.js';
import { leafHash, rootFromPath, sha256Hex } from './merkle.js';
import { exportMessage, headMessage, keyIdOf, parsePublicKey, verifySignature } from './signing.js';

/**
 * The offline check of a case file (`casefile verify <file>`): needs only the file and, for a signed
 * one, the collector's public key. Checks that the file is byte for byte what the collector wrote
 * (canonical JSON; its digest; the Ed25519 signature over the digest), and that every exported span
 * leads through its Merkle path to a signed chain entry, naming every span that does not: a changed
 * attribute, a span added to the file, a span taken out of it.
 */

export type ExportProblemKind =
  | 'malformed'
  | 'not_canonical'
  | 'digest_mismatch'
  | 'signature_missing'
  | 'signature_invalid'
  | 'entry_altered'
  | 'group_altered'
  | 'span_altered'
  | 'span_unproven'
  | 'span_missing'
  | 'span_duplicated';

export interface ExportProblem {
  kind: ExportProblemKind;
  message: string;
  traceId?: string;
  spanId?: string;
}

export interface ExportReport {
  ok: boolean;
  project: string;
  runs: number;
  spans: number;
  entries: number;
  /**
   * `valid`: the signature verifies with the trusted key given; `self_asserted`: with the key the
   * file carries only (it proves the file is whole, not who made it); `unsigned`; `invalid`.
   */
  signature: 'valid' | 'self_asserted' | 'unsigned' | 'invalid';
  keyId?: string;
  problems: ExportProblem[];
}

export interface ExportVerifyOptions {
  /** The collector's public key from a trusted source (`--public-key`, `GET /api/integrity/public-key`). */
  publicKey?: KeyObject | undefined;
  onProgress?: (p: { spans: number; total: number }) => void;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256');
const seq = z.string().regex(/^\d{1,20}$/, 'a decimal sequence number');
const pathSchema = z.array(hex64).max(64);
const proofSchema = z.object({
  chainId: z.string(),
  seq,
  day: z.number().int(),
  index: z.number().int().min(0),
  path: pathSchema,
});
const entrySchema = z.object({
  chainId: z.string(),
  seq,
  kind: z.enum(['batch', 'retention', 'erasure']),
  timeNs: z.string().regex(/^\d{1,20}$/),
  collectorId: z.string(),
  prevHash: hex64,
  root: hex64,
  spanCount: z.number().int().min(0),
  detail: z.string(),
  hash: hex64,
  signature: z.string(),
});
const groupSchema = z.object({
  chainId: z.string(),
  seq,
  day: z.number().int(),
  traceId: z.string(),
  count: z.number().int().min(1),
  root: hex64,
  index: z.number().int().min(0),
  size: z.number().int().min(1),
  path: pathSchema,
  spanIds: z.array(z.string()),
  superseded: z.array(z.object({ index: z.number().int().min(0), spanId: z.string(), leaf: hex64, path: pathSchema })),
});
const stepSchema = z.looseObject({ traceId: z.string(), spanId: z.string(), proof: proofSchema.nullable().optional() });
const fileSchema = z.object({
  format: z.literal('casefile.case/v2'),
  project: z.string(),
  runs: z.array(z.object({ run: z.looseObject({ traceId: z.string() }), steps: z.array(stepSchema) })),
  evidence: z.object({
    format: z.literal('casefile.proof/v1'),
    entries: z.array(entrySchema),
    heads: z.array(entrySchema),
    groups: z.array(groupSchema),
  }),
  signature: z
    .object({
      algorithm: z.literal('ed25519'),
      keyId: z.string(),
      publicKeyPem: z.string(),
      digest: hex64,
      value: z.string(),
    })
    .optional(),
});

/** The digest an export's signature covers: SHA-256 of the canonical JSON of the file without its signature. */
export function caseFileDigest(file: Record<string, unknown>): string {
  const { signature: _, ...rest } = file;
  return sha256Hex(canonicalJson(rest));
}

const malformed = (message: string): ExportReport => ({
  ok: false,
  project: '',
  runs: 0,
  spans: 0,
  entries: 0,
  signature: 'invalid',
  problems: [{ kind: 'malformed', message }],
});

export function verifyCaseFile(text: string, options: ExportVerifyOptions = {}): ExportReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return malformed(`the file is not JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    const hint =
      (raw as { format?: unknown } | null)?.format === 'casefile.case/v1'
        ? ' (a casefile.case/v1 export carries no proofs; export the runs again)'
        : '';
    return malformed(`the file is not a case file with proofs: ${where || 'the file'}: ${issue?.message}${hint}`);
  }
  const file = parsed.data;
  const problems: ExportProblem[] = [];
  const report = (p: ExportProblem) => problems.push(p);

  // ---- the file as a whole ----------------------------------------------------------------------
  let canonical: string;
  try {
    canonical = canonicalJson(raw);
  } catch (error) {
    return malformed(`the file holds a value canonical JSON cannot: ${(error as Error).message}`);
  }
  if (canonical !== text && `${canonical}\n` !== text) {
    report({
      kind: 'not_canonical',
      message: 'the file is not in the canonical form the collector writes: it was edited or re-formatted',
    });
  }
  let signature: ExportReport['signature'] = 'unsigned';
  let keyId: string | undefined;
  if (file.signature) {
    const digest = caseFileDigest(raw as Record<string, unknown>);
    const digestOk = digest === file.signature.digest;
    if (!digestOk) {
      report({
        kind: 'digest_mismatch',
        message: `the file's content does not match the digest it was signed over (${file.signature.digest.slice(0, 16)}…, now ${digest.slice(0, 16)}…)`,
      });
    }
    const embedded = parsePublicKey(file.signature.publicKeyPem);
    const key = options.publicKey ?? embedded;
    keyId = key ? keyIdOf(key) : file.signature.keyId;
    if (!key) {
      signature = 'invalid';
      report({ kind: 'signature_invalid', message: 'the file carries no usable public key and none was given' });
    } else if (!verifySignature(key, exportMessage(file.signature.digest), file.signature.value)) {
      signature = 'invalid';
      report({
        kind: 'signature_invalid',
        message: `the export's signature does not verify with key ${keyId}${options.publicKey ? '' : ' (the key the file carries)'}`,
      });
    } else {
      // A valid signature over a digest the content no longer has signs something else.
      signature = !digestOk ? 'invalid' : options.publicKey ? 'valid' : 'self_asserted';
    }
  } else if (options.publicKey) {
    signature = 'unsigned';
    report({
      kind: 'signature_missing',
      message: `the file is not signed, but a public key (${keyIdOf(options.publicKey)}) was given to check it with`,
    });
  }

  // ---- entries: header → hash → signature ---------------------------------------------------------
  const entries = new Map<string, (typeof file.evidence.entries)[number]>();
  const entryKey = (chainId: string, s: string) => `${chainId}\0${s}`;
  const trustedKey = options.publicKey;
  for (const e of [...file.evidence.entries, ...file.evidence.heads]) {
    const header: EntryHeader = {
      projectId: file.project,
      chainId: e.chainId,
      seq: BigInt(e.seq),
      kind: e.kind,
      timeNs: BigInt(e.timeNs),
      collectorId: e.collectorId,
      prevHash: e.prevHash,
      root: e.root,
      spanCount: e.spanCount,
      detail: e.detail,
    };
    const name = `entry ${e.chainId}#${e.seq}`;
    if (entryHash(header) !== e.hash) {
      report({ kind: 'entry_altered', message: `${name}: its header does not match its hash` });
    } else if (trustedKey && e.signature !== '' && !verifySignature(trustedKey, headMessage(e.hash), e.signature)) {
      report({ kind: 'signature_invalid', message: `${name}: its signature does not verify with key ${keyId}` });
    } else if (trustedKey && e.signature === '') {
      report({ kind: 'signature_missing', message: `${name} is not signed, but a public key was given` });
    }
    entries.set(entryKey(e.chainId, e.seq), e);
  }

  // ---- groups: root → entry root ------------------------------------------------------------------
  const groupKey = (chainId: string, s: string, day: number, traceId: string) => `${chainId}\0${s}\0${day}\0${traceId}`;
  interface GroupState {
    g: (typeof file.evidence.groups)[number];
    filled: Map<number, string>;
    valid: boolean;
  }
  const groups = new Map<string, GroupState>();
  for (const g of file.evidence.groups) {
    const name = `run ${g.traceId} in entry ${g.chainId}#${g.seq}`;
    const entry = entries.get(entryKey(g.chainId, g.seq));
    const state: GroupState = { g, filled: new Map(), valid: false };
    groups.set(groupKey(g.chainId, g.seq, g.day, g.traceId), state);
    if (!entry) {
      report({ kind: 'group_altered', traceId: g.traceId, message: `${name}: the file does not carry that entry` });
      continue;
    }
    const root = rootFromPath(groupHash(g), g.index, g.size, g.path);
    if (root !== entry.root) {
      report({
        kind: 'group_altered',
        traceId: g.traceId,
        message: `${name}: the group's root and path do not lead to the entry's root`,
      });
      continue;
    }
    state.valid = true;
  }

  // ---- spans: content → leaf → group root ---------------------------------------------------------
  const total = file.runs.reduce((n, r) => n + r.steps.length, 0);
  let spans = 0;
  const exported = new Map<string, { proved: boolean; entryKind?: string; leaf: string }>();
  for (const run of file.runs) {
    for (const step of run.steps) {
      spans += 1;
      if (spans % 2000 === 0) options.onProgress?.({ spans, total });
      const where = { traceId: step.traceId, spanId: step.spanId };
      const name = `span ${step.spanId} of run ${step.traceId}`;
      const sk = `${step.traceId}\0${step.spanId}`;
      if (exported.has(sk)) {
        report({ kind: 'span_duplicated', ...where, message: `${name} appears twice in the file` });
        continue;
      }
      let leaf: string;
      try {
        leaf = leafHash(canonicalSpanRecord(step as never));
      } catch {
        report({ kind: 'span_altered', ...where, message: `${name}: its fields are not a step's fields` });
        exported.set(sk, { proved: false, leaf: '' });
        continue;
      }
      exported.set(sk, { proved: false, leaf });
      const proof = step.proof;
      if (!proof) {
        report({
          kind: 'span_unproven',
          ...where,
          message: `${name} has no inclusion proof: the chain never recorded this content (added to the file, or edited in the store before export)`,
        });
        continue;
      }
      const state = groups.get(groupKey(proof.chainId, proof.seq, proof.day, step.traceId));
      if (!state) {
        report({
          kind: 'span_unproven',
          ...where,
          message: `${name}: its proof names a group the file does not carry (entry ${proof.chainId}#${proof.seq})`,
        });
        continue;
      }
      if (rootFromPath(leaf, proof.index, state.g.count, proof.path) !== state.g.root) {
        // The span is there, changed: its position is named once, as altered, not also as missing.
        if (proof.index < state.g.count && state.g.spanIds[proof.index] === step.spanId) {
          state.filled.set(proof.index, step.spanId);
        }
        report({
          kind: 'span_altered',
          ...where,
          message: `${name} does not match what entry ${proof.chainId}#${proof.seq} recorded for it (its content was changed)`,
        });
        continue;
      }
      if (state.filled.has(proof.index)) {
        report({
          kind: 'span_duplicated',
          ...where,
          message: `${name} proves a position of entry ${proof.chainId}#${proof.seq} another span already proves`,
        });
        continue;
      }
      state.filled.set(proof.index, step.spanId);
      exported.set(sk, { proved: state.valid, entryKind: entries.get(entryKey(proof.chainId, proof.seq))?.kind, leaf });
    }
  }
  if (total > 0) options.onProgress?.({ spans, total });

  // ---- every position of every group accounted for ------------------------------------------------
  for (const { g, filled } of groups.values()) {
    for (const s of g.superseded) {
      const name = `span ${s.spanId} of run ${g.traceId}`;
      if (filled.has(s.index) || rootFromPath(s.leaf, s.index, g.count, s.path) !== g.root) {
        report({
          kind: 'group_altered',
          traceId: g.traceId,
          message: `run ${g.traceId} in entry ${g.chainId}#${g.seq}: a superseded record at position ${s.index} does not fit the group`,
        });
        continue;
      }
      filled.set(s.index, s.spanId);
      const later = exported.get(`${g.traceId}\0${s.spanId}`);
      if (!later) {
        report({
          kind: 'span_missing',
          traceId: g.traceId,
          spanId: s.spanId,
          message: `${name} was recorded in entry ${g.chainId}#${g.seq} but is not in the file`,
        });
      } else if (later.leaf !== s.leaf && later.proved && later.entryKind !== 'erasure') {
        report({
          kind: 'span_altered',
          traceId: g.traceId,
          spanId: s.spanId,
          message: `${name} was recorded with other content in entry ${g.chainId}#${g.seq}, and no erasure explains the change`,
        });
      }
    }
    for (let i = 0; i < g.count; i++) {
      if (filled.has(i)) continue;
      const spanId = g.spanIds[i];
      report({
        kind: 'span_missing',
        traceId: g.traceId,
        ...(spanId === undefined ? {} : { spanId }),
        message: `${spanId === undefined ? `the span at position ${i}` : `span ${spanId}`} of run ${g.traceId} was recorded in entry ${g.chainId}#${g.seq} but is not in the file`,
      });
    }
  }

  return {
    ok: problems.length === 0,
    project: file.project,
    runs: file.runs.length,
    spans,
    entries: entries.size,
    signature,
    ...(keyId === undefined ? {} : { keyId }),
    problems,
  };
}
