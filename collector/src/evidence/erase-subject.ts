import { randomBytes } from 'node:crypto';
import type { Step } from '../model/step.js';
import type { CaseStore, ChainStore } from '../store/evidence.js';
import type { RunReader } from '../store/port.js';
import type { ChainRecorder } from './chain-recorder.js';
import { type ErasureTarget, eraser, eraseStep } from './erasure.js';

export interface EraseSubjectDeps {
  store: RunReader &
    Pick<ChainStore, 'readSpans' | 'rewriteSpans'> &
    Pick<CaseStore, 'recordEvidenceAudit' | 'listCases'>;
  chain: Pick<ChainRecorder, 'appendEvent'>;
  now?: () => bigint;
}

export interface ErasureRecord {
  id: string;
  kind: string;
  /** The token prefixes looked for (never the value). */
  tokens: string[];
  runs: string[];
  spans: number;
  /** Runs under legal hold that were erased too (erasure is not held back by a hold). */
  heldRuns: string[];
  timeNs: bigint;
  actor: string;
}

const PAGE = 200;
const RUNS_PER_WRITE = 50;

/**
 * Erases one data subject from a project: finds every run that carries one of the subject's tokens
 * (or the plain value), rewrites the steps that carry it, appends an `erasure` entry with the new
 * leaves to the chain (so verification shows those spans as erased, not altered), and records what
 * was done — the tokens, runs and span count, never the value — in the evidence audit log.
 */
export async function eraseSubject(
  deps: EraseSubjectDeps,
  projectId: string,
  target: ErasureTarget,
  actor: string,
): Promise<ErasureRecord> {
  const now = deps.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const needles = [...target.prefixes, ...(target.value === undefined ? [] : [target.value.trim()])];
  const runs = new Set<string>();
  for (const needle of needles) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listRuns(projectId, {
        text: needle,
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const r of page.runs) runs.add(r.traceId);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  const erase = eraser(target);
  const ids = [...runs].sort();
  const rewritten: Step[] = [];
  for (let i = 0; i < ids.length; i += RUNS_PER_WRITE) {
    const slice = ids.slice(i, i + RUNS_PER_WRITE);
    const changed: Step[] = [];
    for (const step of await deps.store.readSpans(projectId, slice)) {
      const erased = eraseStep(step, erase);
      if (erased !== undefined) changed.push(erased);
    }
    if (changed.length > 0) await deps.store.rewriteSpans(projectId, changed);
    rewritten.push(...changed);
  }
  const erasedRuns = [...new Set(rewritten.map((s) => s.traceId))].sort();
  const held = new Set((await deps.store.listCases(projectId)).flatMap((c) => (c.hold ? c.traceIds : [])));
  const record: ErasureRecord = {
    id: `er_${randomBytes(6).toString('hex')}`,
    kind: target.kind,
    tokens: [...target.prefixes].map((p) => `${p}]`),
    runs: erasedRuns,
    spans: rewritten.length,
    heldRuns: erasedRuns.filter((t) => held.has(t)),
    timeNs: now(),
    actor,
  };
  const detail = { id: record.id, kind: record.kind, tokens: record.tokens, runs: record.runs, spans: record.spans };
  await deps.chain.appendEvent(projectId, 'erasure', detail, rewritten);
  await deps.store.recordEvidenceAudit({
    projectId,
    timeNs: record.timeNs,
    actor,
    action: 'erasure',
    target: record.id,
    detail: JSON.stringify({ ...detail, heldRuns: record.heldRuns }),
  });
  return record;
}
