import { BadInputError } from '../errors/errors.js';
import type { RunSummary, Step } from '../model/step.js';
import { orderSteps } from '../model/step-order.js';
import { byteOrder, summarizeRun } from '../model/summarize-run.js';
import {
  countsTowardRun,
  type DetectionAuditEntry,
  type FindingQuery,
  findingCursorAfter,
  findingOrder,
  matchesFindingQuery,
  runFindingFacts,
  type StoredFinding,
} from '../store/findings.js';
import { aggregateOverview } from '../store/overview.js';
import {
  type AccessEntry,
  type Credential,
  compareRuns,
  decodeCursor,
  isSorted,
  offsetOf,
  type Project,
  type RunPage,
  type RunQuery,
  runPageOf,
  type Touch,
  type TraceStore,
} from '../store/port.js';
import { runTextMatches, stepTextMatch } from '../store/text-search.js';
import { comparePending, createWriteClock } from '../store/write-clock.js';
import { createMemoryAlerts } from './memory-alerts.js';
import { createMemoryEvidence } from './memory-evidence.js';
import { createMemoryMetrics } from './memory-metrics.js';

const newestFirst = (a: RunSummary, b: RunSummary): number =>
  a.startNs !== b.startNs ? (a.startNs > b.startNs ? -1 : 1) : byteOrder(b.traceId, a.traceId);

/**
 * An in-memory TraceStore for unit tests of modules above the port (API, ingest, alerts). Not an
 * adapter, but held to the same store battery (`memory-store.test.ts`), so tests above the port see
 * what a real store would answer.
 */
export function createMemoryStore(): TraceStore & { steps: Map<string, Step> } {
  const steps = new Map<string, Step>();
  const credentials = new Map<string, Credential>();
  const projects = new Map<string, Project>();
  const access: AccessEntry[] = [];
  const findings = new Map<string, StoredFinding[]>(); // project/trace → findings
  const baselines = new Map<string, string>();
  const settings = new Map<string, string>();
  const audit: DetectionAuditEntry[] = [];
  const clock = createWriteClock();
  const written = new Map<string, { projectId: string; traceId: string; writtenNs: bigint }>();
  const marks = new Map<string, bigint>(); // project/trace → detected as of this write
  const pending = (q: { sinceNs: bigint; untilNs: bigint }) =>
    [...written.entries()]
      .filter(
        ([key, w]) => w.writtenNs >= q.sinceNs && w.writtenNs <= q.untilNs && (marks.get(key) ?? -1n) < w.writtenNs,
      )
      .map(([, w]) => ({ ...w }))
      .sort(comparePending);
  const { purgeHistoryBefore: purgeAlertHistory, ...alerts } = createMemoryAlerts();
  const openCount = (projectId: string, traceId: string) =>
    (findings.get(`${projectId}/${traceId}`) ?? []).filter(countsTowardRun).length;
  const runSteps = (projectId: string, traceId: string) =>
    orderSteps([...steps.values()].filter((s) => s.projectId === projectId && s.traceId === traceId));
  const countAll = (projectId: string, { cursor: _, ...q }: FindingQuery) =>
    [...findings.entries()]
      .filter(([key]) => key.startsWith(`${projectId}/`))
      .flatMap(([, list]) => list)
      .filter((f) => matchesFindingQuery(f, q)).length;
  const runs = (projectId: string) => {
    const ids = new Set([...steps.values()].filter((s) => s.projectId === projectId).map((s) => s.traceId));
    return [...ids].map((id) => ({
      summary: {
        ...summarizeRun(runSteps(projectId, id)),
        ...runFindingFacts(findings.get(`${projectId}/${id}`) ?? []),
      },
      steps: runSteps(projectId, id),
    }));
  };
  const writeSteps = async (batch: readonly Step[]) => {
    if (batch.length === 0) return;
    const writtenNs = clock();
    for (const s of batch) {
      steps.set(`${s.projectId}/${s.traceId}/${s.spanId}`, s);
      written.set(`${s.projectId}/${s.traceId}`, { projectId: s.projectId, traceId: s.traceId, writtenNs });
    }
  };
  const { purgeLeavesBefore, ...evidence } = createMemoryEvidence(steps, writeSteps);
  return {
    backend: 'memory',
    steps,
    ...evidence,
    async migrate() {},
    writeSteps,
    async ping() {},
    async pendingDetections(q) {
      return pending(q).slice(0, q.limit);
    },
    async countPendingDetections(q) {
      const all = pending(q);
      return all.length === 0
        ? { runs: 0 }
        : { runs: all.length, oldestNs: (all[0] as { writtenNs: bigint }).writtenNs };
    },
    // One process holds the store: every run is this caller's.
    async claimDetections(runs) {
      return [...runs];
    },
    async markDetected(list) {
      for (const m of list) {
        const key = `${m.projectId}/${m.traceId}`;
        if ((marks.get(key) ?? -1n) < m.writtenNs) marks.set(key, m.writtenNs);
      }
    },
    async listRuns(projectId, q: RunQuery): Promise<RunPage> {
      const matching = runs(projectId)
        .filter(({ summary: r, steps: ss }) => {
          if (q.fromNs !== undefined && r.startNs < q.fromNs) return false;
          if (q.toNs !== undefined && r.startNs >= q.toNs) return false;
          if (q.agentName && r.agentName !== q.agentName) return false;
          if (q.status && r.status !== q.status) return false;
          if (q.toolName && !r.toolNames.includes(q.toolName)) return false;
          if (q.documentId && !ss.some((s) => s.documentIds.includes(q.documentId as string))) return false;
          if (q.promptVersion && r.promptVersion !== q.promptVersion) return false;
          if (q.policyVersion && r.policyVersion !== q.policyVersion) return false;
          if (q.model && !r.models.includes(q.model)) return false;
          if (q.approvalId && !ss.some((s) => s.approvalId === q.approvalId)) return false;
          if (q.text && !ss.some((s) => stepTextMatch(s, q.text as string) !== undefined)) return false;
          if (q.hasFindings !== undefined && r.findingCount > 0 !== q.hasFindings) return false;
          return true;
        })
        .map((r) => r.summary)
        .sort(isSorted(q) ? compareRuns(q.sort) : newestFirst);
      let page: RunPage;
      if (isSorted(q)) {
        const offset = offsetOf(q.cursor);
        page = runPageOf(matching.slice(offset, offset + q.limit + 1), q.limit, offset);
      } else {
        const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
        if (q.cursor !== undefined && !after) throw new BadInputError('invalid cursor');
        const rest = after
          ? matching.filter(
              (r) => r.startNs < after.startNs || (r.startNs === after.startNs && r.traceId < after.traceId),
            )
          : matching;
        page = runPageOf(rest, q.limit);
      }
      if (q.count) page.total = matching.length;
      if (q.text && page.runs.length > 0) {
        page.textMatches = runTextMatches(
          page.runs.map((r) => runSteps(projectId, r.traceId)),
          q.text,
        );
      }
      return page;
    },
    async getRun(projectId, traceId) {
      return runSteps(projectId, traceId);
    },
    async getRuns(projectId, traceIds) {
      const out = new Map<string, Step[]>();
      for (const traceId of traceIds) {
        const steps = runSteps(projectId, traceId);
        if (steps.length > 0) out.set(traceId, steps);
      }
      return out;
    },
    async overview(projectId, q) {
      return aggregateOverview(
        runs(projectId).map((r) => r.summary),
        q,
      );
    },
    async runsTouching(projectId, touch: Touch, limit) {
      return runs(projectId)
        .filter(({ steps: ss }) =>
          ss.some((s) =>
            'documentId' in touch
              ? s.documentIds.includes(touch.documentId)
              : 'toolName' in touch
                ? s.toolName === touch.toolName
                : s.approvalId === touch.approvalId,
          ),
        )
        .map((r) => r.summary)
        .sort(newestFirst)
        .slice(0, limit);
    },
    async putCredential(c) {
      credentials.set(c.hash, c);
    },
    async findCredential(hash) {
      return credentials.get(hash);
    },
    async listCredentials(projectId) {
      return [...credentials.values()]
        .filter((c) => !projectId || c.projectIds.includes(projectId))
        .sort((a, b) =>
          a.createdNs !== b.createdNs ? (a.createdNs < b.createdNs ? -1 : 1) : byteOrder(a.hash, b.hash),
        );
    },
    async putProject(p) {
      projects.set(p.id, p);
    },
    async listProjects() {
      return [...projects.values()].sort((a, b) => byteOrder(a.id, b.id));
    },
    async recordAccess(e) {
      access.push(e);
    },
    async listAccess(projectId, limit, filter = {}) {
      return access
        .filter(
          (e) =>
            e.projectId === projectId &&
            (filter.actor === undefined || e.actor === filter.actor) &&
            (filter.fromNs === undefined || e.timeNs >= filter.fromNs) &&
            (filter.toNs === undefined || e.timeNs < filter.toNs),
        )
        .sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0))
        .slice(-limit)
        .reverse();
    },
    async purgeBefore(projectId, beforeNs, options = {}) {
      const keep = options.keepTraceIds ?? new Set<string>();
      for (const [k, s] of steps) {
        if (s.projectId === projectId && s.startNs < beforeNs && !keep.has(s.traceId)) steps.delete(k);
      }
      purgeLeavesBefore(projectId, beforeNs, keep);
      access.splice(0, access.length, ...access.filter((e) => e.projectId !== projectId || e.timeNs >= beforeNs));
      purgeAlertHistory(projectId, beforeNs);
      for (const key of findings.keys()) {
        const [project, traceId] = key.split('/') as [string, string];
        if (project === projectId && runSteps(projectId, traceId).length === 0) findings.delete(key);
      }
    },
    async replaceFindings(projectId, traceId, list) {
      findings.set(
        `${projectId}/${traceId}`,
        list.map((f) => ({ ...f })),
      );
    },
    async replaceRunFindings(runs) {
      for (const r of runs)
        findings.set(
          `${r.projectId}/${r.traceId}`,
          r.findings.map((f) => ({ ...f })),
        );
    },
    async listRunFindings(projectId, traceIds) {
      const out = new Map<string, StoredFinding[]>();
      for (const traceId of traceIds) {
        const list = findings.get(`${projectId}/${traceId}`) ?? [];
        if (list.length > 0)
          out.set(
            traceId,
            [...list].sort(findingOrder(undefined)).map((f) => ({ ...f })),
          );
      }
      return out;
    },
    async listFindings(projectId, q) {
      const all = [...findings.entries()]
        .filter(([key]) => key.startsWith(`${projectId}/`))
        .flatMap(([, list]) => list)
        .filter((f) => matchesFindingQuery(f, q))
        .sort(findingOrder(q.order));
      const total = q.count ? { total: q.cursor === undefined ? all.length : countAll(projectId, q) } : {};
      if (all.length <= q.limit) return { findings: all, ...total };
      const page = all.slice(0, q.limit);
      const last = page[page.length - 1] as StoredFinding;
      return { findings: page, nextCursor: findingCursorAfter(last, q.order), ...total };
    },
    async setFindingStatus(projectId, id, status) {
      for (const [key, list] of findings) {
        if (!key.startsWith(`${projectId}/`)) continue;
        const f = list.find((x) => x.id === id);
        if (f) {
          f.status = status;
          return { ...f };
        }
      }
      return undefined;
    },
    async getBaseline(projectId) {
      return baselines.get(projectId);
    },
    async putBaseline(projectId, json) {
      baselines.set(projectId, json);
    },
    async getDetectionSettings(projectId) {
      return settings.get(projectId);
    },
    async putDetectionSettings(projectId, json) {
      settings.set(projectId, json);
    },
    async recordDetectionAudit(entry) {
      audit.push(entry);
    },
    async listDetectionAudit(projectId, limit) {
      return audit
        .filter((e) => e.projectId === projectId)
        .slice(-limit)
        .reverse();
    },
    ...createMemoryMetrics(() => steps.values(), openCount),
    ...alerts,
    async close() {},
  };
}
