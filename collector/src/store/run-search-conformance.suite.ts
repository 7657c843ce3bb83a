import { afterEach, beforeEach, expect } from 'vitest';
import type { Step } from '../model/step.js';
import { buildRun, DAY0, spanIdOf } from './conformance.fixtures.js';
import { findingId, type StoredFinding } from './findings.js';
import type { RunQuery, TraceStore } from './port.js';
import type { StoreSuite } from './suite-harness.suite.js';

/**
 * Search across runs: the "has findings" filter and free text over every redacted payload, with
 * hostile needles. Every adapter passes these (and the in-memory store used by the API tests).
 */
export const runSearchSuite: StoreSuite = {
  name: 'run search',
  register({ makeStore, purge, test }) {
    let store: TraceStore;
    const P = 'proj-a';

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterEach(async () => {
      await purge(store);
    });

    const list = async (query: Partial<RunQuery>, projectId = P) =>
      (await store.listRuns(projectId, { limit: 100, ...query })).runs.map((r) => r.traceId);

    const finding = (traceId: string, n: number, over: Partial<StoredFinding> = {}): StoredFinding => {
      const base = {
        projectId: P,
        traceId,
        spanId: `${traceId.slice(-8)}${n.toString(16).padStart(8, '0')}`,
        ruleId: 'outbound.sensitive_data',
        severity: 'high' as const,
        reason: `reason ${n}`,
        evidence: `evidence ${n}`,
        agentName: 'support',
        toolName: 'send_email',
        status: 'open' as const,
        createdNs: DAY0 + BigInt(n),
        ...over,
      };
      return { ...base, id: findingId(base) };
    };

    test('filters on "has findings": open findings of medium or above count, low or muted ones do not', async () => {
      const runs = [0, 1, 2, 3, 4].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * 1000n }));
      await store.writeSteps(runs.flat());
      const t = (i: number) => runs[i]?.[0]?.traceId as string;
      await store.replaceFindings(P, t(0), [finding(t(0), 1)]);
      await store.replaceFindings(P, t(1), [finding(t(1), 2, { severity: 'low' })]);
      await store.replaceFindings(P, t(2), [finding(t(2), 3, { status: 'muted' })]);
      await store.replaceFindings(P, t(4), [finding(t(4), 4, { severity: 'medium' }), finding(t(4), 5)]);

      expect(await list({ hasFindings: true })).toEqual([t(4), t(0)]);
      expect(await list({ hasFindings: false })).toEqual([t(3), t(2), t(1)]);
      expect(await list({})).toHaveLength(5);
      expect(await list({ hasFindings: true, fromNs: DAY0 + 1n })).toEqual([t(4)]);
      expect(await list({ hasFindings: true }, 'proj-other')).toEqual([]);

      // Muting the only counted finding takes the run out; replacing a run's findings with none too.
      const muted = await store.setFindingStatus(P, finding(t(0), 1).id, 'muted');
      expect(muted?.status).toBe('muted');
      await store.replaceFindings(P, t(4), []);
      expect(await list({ hasFindings: true })).toEqual([]);
      expect(await list({ hasFindings: false })).toHaveLength(5);
    });

    test('pages through runs with findings without gaps, every page full', async () => {
      const runs = Array.from({ length: 14 }, (_, i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) }));
      await store.writeSteps(runs.flat());
      const flagged: string[] = [];
      for (const [i, run] of runs.entries()) {
        const traceId = run[0]?.traceId as string;
        // Every third run is flagged, so a page of unfiltered runs would hold few of them.
        if (i % 3 === 0) {
          await store.replaceFindings(P, traceId, [finding(traceId, i)]);
          flagged.unshift(traceId);
        }
      }
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns(P, { limit: 2, hasFindings: true, cursor });
        seen.push(...page.runs.map((r) => r.traceId));
        sizes.push(page.runs.length);
        expect(page.runs.every((r) => r.findingCount === 1)).toBe(true);
        cursor = page.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(seen).toEqual(flagged);
      expect(sizes).toEqual([2, 2, 1]);
    });

    test('finds free text in every redacted payload, and not in keys or timestamps', async () => {
      const fields: Record<string, (s: Step[]) => void> = {
        inputMessages: (s) => {
          (s[2] as Step).inputMessages = '[{"role":"user","content":"needle-inmsg"}]';
        },
        outputMessages: (s) => {
          (s[2] as Step).outputMessages = '[{"role":"assistant","content":"needle-outmsg"}]';
        },
        toolArguments: (s) => {
          (s[4] as Step).toolArguments = '{"to":"needle-args"}';
        },
        toolResult: (s) => {
          (s[4] as Step).toolResult = '{"body":"needle-result"}';
        },
        documents: (s) => {
          (s[1] as Step).documents = '[{"id":"kb-1","content":"needle-doctext"}]';
        },
        documentIds: (s) => {
          (s[1] as Step).documentIds = ['kb-1', 'needle-docid-77'];
        },
        statusMessage: (s) => {
          Object.assign(s[4] as Step, { status: 'error', statusMessage: 'needle-error: upstream refused' });
        },
        approver: (s) => {
          (s[3] as Step).approver = '[user:needle-appr]';
        },
        eventName: (s) => {
          (s[2] as Step).events = [{ timeNs: DAY0 + 424_242n, name: 'needle-evname', attributes: {} }];
        },
        eventValue: (s) => {
          (s[2] as Step).events = [{ timeNs: DAY0, name: 'exception', attributes: { msg: 'needle-evval' } }];
        },
        attributeValue: (s) => {
          (s[0] as Step).attributes = { 'input.value': 'needle-attr' };
        },
        resourceValue: (s) => {
          (s[0] as Step).resourceAttributes = { 'host.name': 'needle-rsrc' };
        },
        attributeKeyOnly: (s) => {
          (s[0] as Step).attributes = { 'needle-key': 'plain' };
        },
      };
      const traces = new Map<string, string>();
      let i = 0;
      for (const [field, set] of Object.entries(fields)) {
        const steps = buildRun({ projectId: P, startNs: DAY0 + BigInt(i++) * 1000n });
        set(steps);
        traces.set(field, steps[0]?.traceId as string);
        await store.writeSteps(steps);
      }
      const only = (field: string) => [traces.get(field)];
      expect(await list({ text: 'NEEDLE-INMSG' })).toEqual(only('inputMessages'));
      expect(await list({ text: 'needle-outmsg' })).toEqual(only('outputMessages'));
      expect(await list({ text: 'needle-args' })).toEqual(only('toolArguments'));
      expect(await list({ text: 'needle-result' })).toEqual(only('toolResult'));
      expect(await list({ text: 'needle-doctext' })).toEqual(only('documents'));
      expect(await list({ text: 'docid-77' })).toEqual(only('documentIds'));
      expect(await list({ text: 'needle-error' })).toEqual(only('statusMessage'));
      expect(await list({ text: '[user:needle-appr]' })).toEqual(only('approver'));
      expect(await list({ text: 'needle-evname' })).toEqual(only('eventName'));
      expect(await list({ text: 'needle-evval' })).toEqual(only('eventValue'));
      expect(await list({ text: 'needle-attr' })).toEqual(only('attributeValue'));
      expect(await list({ text: 'needle-rsrc' })).toEqual(only('resourceValue'));
      expect(await list({ text: 'needle-key' })).toEqual([]);

      // Each hit says where: the run's first matching step and that step's first matching field.
      const where: [string, string, number, string][] = [
        ['inputMessages', 'needle-inmsg', 2, 'inputMessages'],
        ['toolArguments', 'needle-args', 4, 'toolArguments'],
        ['documents', 'needle-doctext', 1, 'documents'],
        ['documentIds', 'docid-77', 1, 'documentIds'],
        ['statusMessage', 'needle-error', 4, 'statusMessage'],
        ['approver', 'needle-appr', 3, 'approver'],
        ['eventValue', 'needle-evval', 2, 'events'],
        ['attributeValue', 'needle-attr', 0, 'attributes'],
        ['resourceValue', 'needle-rsrc', 0, 'resourceAttributes'],
      ];
      for (const [run, text, step, field] of where) {
        const page = await store.listRuns(P, { limit: 100, text });
        const spanId = spanIdOf(traces.get(run) as string, step + 1);
        expect(page.textMatches, text).toEqual([
          expect.objectContaining({ traceId: traces.get(run), spanId, field, stepName: expect.any(String) }),
        ]);
      }
      // A match in an attribute map names the key; every match names its step and tool.
      const attr = await store.listRuns(P, { limit: 100, text: 'NEEDLE-ATTR' });
      expect(attr.textMatches?.[0]?.attribute).toBe('input.value');
      const rsrc = await store.listRuns(P, { limit: 100, text: 'needle-rsrc' });
      expect(rsrc.textMatches?.[0]?.attribute).toBe('host.name');
      const args = await store.listRuns(P, { limit: 100, text: 'needle-args' });
      expect(args.textMatches?.[0]).toMatchObject({ field: 'toolArguments', toolName: expect.any(String) });
      expect(args.textMatches?.[0]?.attribute).toBeUndefined();
      // Several steps match 'order': the root's input comes first; in the tool step the name wins over the tool name.
      const order = await store.listRuns(P, { limit: 3, text: 'ORDER' });
      expect(order.runs).toHaveLength(3);
      expect(order.textMatches?.map((m) => m.traceId)).toEqual(order.runs.map((r) => r.traceId));
      expect(order.textMatches?.map((m) => [m.spanId.slice(-1), m.field])).toEqual([
        ['1', 'runInput'],
        ['1', 'runInput'],
        ['1', 'runInput'],
      ]);
      const tool = await store.listRuns(P, { limit: 1, text: 'lookup_order' });
      expect(tool.textMatches?.[0]?.field).toBe('name');
      expect(tool.textMatches?.[0]?.spanId.slice(-1)).toBe('5');
      expect((await store.listRuns(P, { limit: 10 })).textMatches).toBeUndefined();
      expect(await list({ text: String(DAY0 + 424_242n) })).toEqual([]);
    });

    test('treats quotes, wildcards, backslashes and unicode in the needle as plain text', async () => {
      const hostile = buildRun({
        projectId: P,
        startNs: DAY0 + 2000n,
        input: 'Rabatt: 100% auf a_b — Ünïcødé ПРИВЕТ 🙂',
      });
      (hostile[4] as Step).toolArguments = JSON.stringify({
        to: '[email:7f3a9c12]',
        path: 'C:\\temp\\new',
        note: `it's "quoted"`,
      });
      (hostile[4] as Step).statusMessage = 'back\\slash and 50%_off';
      const decoy = buildRun({ projectId: P, startNs: DAY0 + 1000n, input: 'Rabatt: 1000 auf axb — unicode привет' });
      (decoy[4] as Step).toolArguments = '{"to":"[email:7f3a9c13]","path":"C:/temp/new"}';
      const plain = buildRun({ projectId: P, startNs: DAY0 });
      await store.writeSteps([...hostile, ...decoy, ...plain]);
      const h = hostile[0]?.traceId;
      const d = decoy[0]?.traceId;

      // A pseudonym token, whole or in part, finds the run that carried it and no other.
      expect(await list({ text: '[email:7f3a9c12]' })).toEqual([h]);
      expect(await list({ text: '[EMAIL:7F3A9C1' })).toEqual([h, d]);
      expect(await list({ text: '[email:7f3a9c1]' })).toEqual([]);
      // LIKE wildcards match only themselves.
      expect(await list({ text: '100%' })).toEqual([h]);
      expect(await list({ text: 'a_b' })).toEqual([h]);
      expect(await list({ text: '%' })).toEqual([h]);
      expect(await list({ text: '50%_off' })).toEqual([h]);
      expect(await list({ text: '_%' })).toEqual([]);
      // Backslashes, in plain text and escaped inside JSON.
      expect(await list({ text: 'back\\slash' })).toEqual([h]);
      expect(await list({ text: 'C:\\temp\\new' })).toEqual([h]);
      expect(await list({ text: '\\' })).toEqual([h]);
      // Quotes, as typed, in JSON text.
      expect(await list({ text: `it's "quoted"` })).toEqual([h]);
      expect(await list({ text: "'" })).toEqual([h]);
      expect(await list({ text: `"'; DROP TABLE spans; --` })).toEqual([]);
      expect(await list({ text: 'a\u0000b' })).toEqual([]);
      expect(await list({ text: '\uD800 lone surrogate' })).toEqual([]);
      // Unicode, case-insensitively.
      expect(await list({ text: 'привет' })).toEqual([h, d]);
      expect(await list({ text: 'ünïcødé' })).toEqual([h]);
      expect(await list({ text: '🙂' })).toEqual([h]);
      // The store still answers after all of that.
      expect(await list({})).toEqual([h, d, plain[0]?.traceId]);
      expect(await list({ text: 'needle nowhere', hasFindings: false })).toEqual([]);
      expect(await list({ text: '[email:7f3a9c1', hasFindings: false, toNs: DAY0 + 1500n })).toEqual([d]);
    });
  },
};
