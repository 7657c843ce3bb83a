import { describe, expect, it } from 'vitest';
import type { Step } from '../model/step.js';
import { buildRun, DAY0, NS_PER_DAY } from '../store/conformance.fixtures.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createTestApp, logins } from '../testing/test-app.js';
import { canonicalJson } from './canonical.js';
import { createChainRecorder } from './chain-recorder.js';
import { createSigner, generateSigningKey, parsePublicKey } from './signing.js';
import { verifyCaseFile } from './verify-case-file.js';

const P = 'proj-x';
const token = 'cf_login_inv_0123456789';

interface Exported {
  runs: {
    run: { traceId: string };
    steps: ({ spanId: string; attributes: Record<string, string> } & Record<string, unknown>)[];
  }[];
  signature?: { keyId: string };
}

async function exportCase(options: { signed?: boolean; resend?: boolean } = {}) {
  const key = generateSigningKey();
  const signer = options.signed ? createSigner(key.privateKeyPem) : undefined;
  const store = createMemoryStore();
  const chain = createChainRecorder({ store, collectorId: 'export-test', ...(signer ? { signer } : {}) });
  const { request } = await createTestApp({
    project: P,
    store,
    credentials: logins({ investigator: token }),
    chain,
    ...(signer ? { signer } : {}),
  });
  const runs = [0, 1].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * NS_PER_DAY }));
  for (const run of runs) {
    await store.writeSteps(run);
    chain.record(run);
  }
  if (options.resend) {
    // An OTLP client resends the first run's tool step: stored once, recorded in two entries.
    const again = (runs[0] as Step[]).slice(2, 4);
    await store.writeSteps(again);
    chain.record(again);
  }
  const traceIds = runs.map((r) => (r[0] as Step).traceId);
  const exportAgain = async () => {
    const res = await request(token, `/api/cases/export?format=json&traceIds=${traceIds.join(',')}`);
    expect(res.status).toBe(200);
    return res.text();
  };
  return { text: await exportAgain(), runs, key, store, exportAgain };
}

/** Edits the parsed file and writes it back as the collector would (canonical), so only the edit differs. */
function edit(text: string, change: (file: Exported) => void): string {
  const file = JSON.parse(text) as Exported;
  change(file);
  return canonicalJson(file);
}

describe('case export with inclusion proofs', () => {
  it('verifies offline as exported, and names the span when one attribute is changed, one removed, one added', async () => {
    const { text, runs } = await exportCase();
    const clean = verifyCaseFile(text);
    expect(clean).toMatchObject({ ok: true, runs: 2, spans: 10, signature: 'unsigned', problems: [] });

    const victim = (runs[1] as Step[])[3] as Step;
    const changed = verifyCaseFile(
      edit(text, (f) => {
        const step = f.runs[1]?.steps.find((s) => s.spanId === victim.spanId);
        if (step) step.attributes = { ...step.attributes, 'gen_ai.tool.call.arguments': '{"amount":"2000.00"}' };
      }),
    );
    expect(changed.ok).toBe(false);
    expect(changed.problems).toEqual([
      expect.objectContaining({ kind: 'span_altered', traceId: victim.traceId, spanId: victim.spanId }),
    ]);

    const removed = verifyCaseFile(
      edit(text, (f) => {
        const run = f.runs[1];
        if (run) run.steps = run.steps.filter((s) => s.spanId !== victim.spanId);
      }),
    );
    expect(removed.problems).toEqual([
      expect.objectContaining({ kind: 'span_missing', traceId: victim.traceId, spanId: victim.spanId }),
    ]);

    const added = verifyCaseFile(
      edit(text, (f) => {
        const run = f.runs[0];
        const model = run?.steps[1];
        if (run && model) run.steps.push({ ...model, spanId: 'feedfacefeedface', name: 'send_email' });
      }),
    );
    expect(added.problems).toEqual([expect.objectContaining({ kind: 'span_altered', spanId: 'feedfacefeedface' })]);
    const addedBare = verifyCaseFile(
      edit(text, (f) => {
        const run = f.runs[0];
        const model = run?.steps[1];
        if (run && model) run.steps.push({ ...model, spanId: 'feedfacefeedface', proof: null });
      }),
    );
    expect(addedBare.problems).toEqual([
      expect.objectContaining({ kind: 'span_unproven', spanId: 'feedfacefeedface' }),
    ]);
  });

  it('fails when one byte of the file changes, even where no value changes', async () => {
    const { text } = await exportCase({ signed: true });
    expect(verifyCaseFile(text).ok).toBe(true);
    const spaced = text.replace('{"evidence"', '{ "evidence"');
    expect(verifyCaseFile(spaced).problems.map((p) => p.kind)).toEqual(['not_canonical']);
    // One character of a value: the digest no longer matches what was signed, and the span is named.
    const at = text.indexOf('order status');
    const flipped = `${text.slice(0, at)}Order status${text.slice(at + 'order status'.length)}`;
    const report = verifyCaseFile(flipped);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['digest_mismatch', 'span_altered']));
  });

  it('checks the signature with the trusted key, and refuses a file re-signed with another key', async () => {
    const { text, key } = await exportCase({ signed: true });
    const trusted = parsePublicKey(key.publicKeyPem);
    expect(verifyCaseFile(text)).toMatchObject({ ok: true, signature: 'self_asserted' });
    expect(verifyCaseFile(text, { publicKey: trusted })).toMatchObject({ ok: true, signature: 'valid' });
    const other = parsePublicKey(generateSigningKey().publicKeyPem);
    const wrong = verifyCaseFile(text, { publicKey: other });
    expect(wrong).toMatchObject({ ok: false, signature: 'invalid' });
    expect(wrong.problems[0]?.message).toMatch(/signature does not verify/);

    const unsigned = await exportCase();
    expect(verifyCaseFile(unsigned.text, { publicKey: trusted }).problems.map((p) => p.kind)).toContain(
      'signature_missing',
    );
  });

  it('accounts for a span recorded twice (a resend) and for spans edited in the store before export', async () => {
    const resent = await exportCase({ resend: true });
    expect(verifyCaseFile(resent.text)).toMatchObject({ ok: true, spans: 10 });

    // Edited in the store, then exported: the file says the span has no proof, and verification names it.
    const { runs, store, exportAgain } = await exportCase();
    const victim = (runs[0] as Step[])[1] as Step;
    const stored = store.steps.get(`${P}/${victim.traceId}/${victim.spanId}`) as Step;
    stored.retrievalQuery = 'something else';
    const report = verifyCaseFile(await exportAgain());
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'span_unproven', spanId: victim.spanId })]);
  });

  it('answers a clear message for a file that is not a case file with proofs', () => {
    expect(verifyCaseFile('not json').problems[0]?.message).toMatch(/not JSON/);
    expect(verifyCaseFile('{"format":"casefile.case/v1","runs":[]}').problems[0]?.message).toMatch(
      /casefile\.case\/v1 export carries no proofs/,
    );
  });
});
