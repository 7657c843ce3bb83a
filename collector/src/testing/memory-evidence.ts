import type { Step } from '../model/step.js';
import { byteOrder } from '../model/summarize-run.js';
import {
  type ChainEntry,
  type ChainLeaf,
  type EvidenceAuditEntry,
  type EvidenceStore,
  lastDayBefore,
  type RetentionPolicy,
  type StoredCase,
  utcDay,
} from '../store/evidence.js';

const entryKey = (e: { projectId: string; chainId: string; seq: bigint }) => `${e.projectId}\0${e.chainId}\0${e.seq}`;
const bySeq = (a: ChainEntry, b: ChainEntry) =>
  a.chainId !== b.chainId ? byteOrder(a.chainId, b.chainId) : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
const sameEntry = (a: ChainEntry, b: ChainEntry) => JSON.stringify(a, big) === JSON.stringify(b, big);
const big = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * The evidence part of the in-memory store: the chain, cases, the evidence audit log, retention
 * policies. `steps` is the store's span map (key project/trace/span).
 */
export function createMemoryEvidence(steps: Map<string, Step>, writeSteps: (batch: readonly Step[]) => Promise<void>) {
  const entries = new Map<string, ChainEntry[]>();
  let leaves: ChainLeaf[] = [];
  const leafKeys = new Set<string>();
  const cases = new Map<string, StoredCase>();
  const audit: EvidenceAuditEntry[] = [];
  const policies = new Map<string, RetentionPolicy>();

  const projectEntries = (projectId: string) =>
    [...entries.values()]
      .flat()
      .filter((e) => e.projectId === projectId)
      .sort(bySeq);

  const store: EvidenceStore = {
    async appendChain(newEntries, newLeaves) {
      for (const l of newLeaves) {
        const k = `${l.projectId}\0${l.traceId}\0${l.spanId}\0${l.chainId}\0${l.seq}`;
        if (leafKeys.has(k)) continue;
        leafKeys.add(k);
        leaves.push({ ...l });
      }
      for (const e of newEntries) {
        const list = entries.get(entryKey(e)) ?? [];
        if (!list.some((x) => sameEntry(x, e))) list.push(structuredClone(e));
        entries.set(entryKey(e), list);
      }
    },
    async listChainEntries(projectId, q) {
      return projectEntries(projectId)
        .filter((e) => q.chainId === undefined || e.chainId === q.chainId)
        .filter((e) => q.afterSeq === undefined || e.seq > q.afterSeq)
        .filter((e) => q.kind === undefined || e.kind === q.kind)
        .slice(0, q.limit)
        .map((e) => structuredClone(e));
    },
    async getChainEntries(projectId, keys) {
      return keys
        .flatMap((k) => entries.get(entryKey({ projectId, ...k })) ?? [])
        .sort(bySeq)
        .map((e) => structuredClone(e));
    },
    async chainHeads(projectId) {
      const heads = new Map<string, ChainEntry>();
      for (const e of projectEntries(projectId)) heads.set(e.chainId, e);
      return [...heads.values()].map((e) => structuredClone(e));
    },
    async chainLeaves(projectId, traceIds) {
      const wanted = new Set(traceIds);
      return leaves.filter((l) => l.projectId === projectId && wanted.has(l.traceId)).map((l) => ({ ...l }));
    },
    async integrityTraceIds(projectId, q) {
      const ids = new Set<string>();
      const starts = new Map<string, bigint>();
      for (const s of steps.values()) {
        if (s.projectId !== projectId) continue;
        const prev = starts.get(s.traceId);
        if (prev === undefined || s.startNs < prev) starts.set(s.traceId, s.startNs);
      }
      for (const [traceId, start] of starts) {
        if (q.fromNs !== undefined && start < q.fromNs) continue;
        if (q.toNs !== undefined && start >= q.toNs) continue;
        ids.add(traceId);
      }
      const fromDay = q.fromNs === undefined ? 0 : utcDay(q.fromNs);
      const toDay = q.toNs === undefined ? Number.MAX_SAFE_INTEGER : lastDayBefore(q.toNs);
      for (const l of leaves) {
        if (l.projectId === projectId && l.day >= fromDay && l.day <= toDay) ids.add(l.traceId);
      }
      return [...ids]
        .filter((t) => q.afterTraceId === undefined || t > q.afterTraceId)
        .sort(byteOrder)
        .slice(0, q.limit);
    },
    async readSpans(projectId, traceIds) {
      const wanted = new Set(traceIds);
      return [...steps.values()].filter((s) => s.projectId === projectId && wanted.has(s.traceId));
    },
    async rewriteSpans(projectId, batch) {
      await writeSteps(batch.filter((s) => s.projectId === projectId));
    },
    async putCase(c) {
      cases.set(`${c.projectId}\0${c.id}`, structuredClone(c));
    },
    async getCase(projectId, id) {
      const c = cases.get(`${projectId}\0${id}`);
      return c && structuredClone(c);
    },
    async listCases(projectId) {
      return [...cases.values()]
        .filter((c) => c.projectId === projectId)
        .sort((a, b) => (a.createdNs !== b.createdNs ? (a.createdNs > b.createdNs ? -1 : 1) : byteOrder(b.id, a.id)))
        .map((c) => structuredClone(c));
    },
    async recordEvidenceAudit(entry) {
      audit.push({ ...entry });
    },
    async listEvidenceAudit(projectId, q) {
      return audit
        .filter((e) => e.projectId === projectId)
        .filter((e) => q.target === undefined || e.target === q.target)
        .filter((e) => q.action === undefined || e.action === q.action)
        .reverse()
        .sort((a, b) => (a.timeNs === b.timeNs ? 0 : a.timeNs > b.timeNs ? -1 : 1))
        .slice(0, q.limit)
        .map((e) => ({ ...e }));
    },
    async getRetentionPolicy(projectId) {
      const p = policies.get(projectId);
      return p && { ...p };
    },
    async putRetentionPolicy(policy) {
      policies.set(policy.projectId, { ...policy });
    },
  };

  return {
    ...store,
    /** Retention of the chain's leaves: those of spans the purge removed (days before the cutoff's). */
    purgeLeavesBefore(projectId: string, beforeNs: bigint, keep: ReadonlySet<string>) {
      const cutoff = utcDay(beforeNs);
      leaves = leaves.filter((l) => {
        const gone = l.projectId === projectId && l.day < cutoff && !keep.has(l.traceId);
        if (gone) leafKeys.delete(`${l.projectId}\0${l.traceId}\0${l.spanId}\0${l.chainId}\0${l.seq}`);
        return !gone;
      });
    },
  };
}
