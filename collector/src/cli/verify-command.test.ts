import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../evidence/canonical.js';
import { createChainRecorder } from '../evidence/chain-recorder.js';
import { createSigner, generateSigningKey } from '../evidence/signing.js';
import type { Step } from '../model/step.js';
import { ClickHouseTraceStore } from '../store/clickhouse/clickhouse-trace-store.js';
import { ident, literal } from '../store/clickhouse/sql.js';
import { buildRun, DAY0, NS_PER_DAY } from '../store/conformance.fixtures.js';
import { DuckDbTraceStore } from '../store/duckdb/duckdb-trace-store.js';
import type { TraceStore } from '../store/port.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createTestApp, logins } from '../testing/test-app.js';
import { type VerifyIo, verifyCommand } from './verify-command.js';

const P = 'proj-v';

function capture(): { io: VerifyIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: {} },
    out: () => out,
    err: () => err,
  };
}

async function run(args: string[], extra: Partial<VerifyIo> = {}) {
  const c = capture();
  const code = await verifyCommand(args, { ...c.io, ...extra });
  return { code, out: c.out(), err: c.err() };
}

/** Two runs written and recorded in the chain as the collector does; returns the tool step to tamper with. */
async function fill(store: TraceStore): Promise<Step> {
  await store.migrate();
  await store.putProject({ id: P, name: 'V', createdNs: 0n });
  const recorder = createChainRecorder({ store, collectorId: 'cli-test' });
  const runs = [0, 1].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * NS_PER_DAY }));
  // One chain entry per run: each run's append is flushed before the next run is written.
  for (const r of runs) {
    await store.writeSteps(r);
    recorder.record(r);
    await recorder.flush();
  }
  await recorder.close();
  return (runs[1] as Step[])[3] as Step;
}

describe('casefile verify <store>', () => {
  it('DuckDB: an untouched store verifies; one attribute edited in the file fails naming the span', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-verify-'));
    try {
      const store = await DuckDbTraceStore.open(dir);
      const victim = await fill(store);
      await store.close();
      const clean = await run(['--data-dir', dir]);
      expect(clean.err).toMatch(/^verify proj-v: 2 runs, 10 spans, 2 chain entries\n/);
      expect(clean.out).toMatch(/project proj-v \(project\): verified: 2 runs, 10 spans/);
      expect(clean.code).toBe(0);

      const instance = await DuckDBInstance.create(join(dir, 'casefile.duckdb'));
      const conn = await instance.connect();
      await conn.run(
        `UPDATE spans SET attributes = '{"gen_ai.tool.call.arguments":"{\\"amount\\":\\"2000.00\\"}"}' WHERE span_id = $1`,
        [victim.spanId],
      );
      conn.closeSync();
      instance.closeSync();

      const tampered = await run(['--data-dir', dir, '--project', P]);
      expect(tampered.code).toBe(1);
      expect(tampered.out).toMatch(/DOES NOT VERIFY/);
      expect(tampered.out).toContain(`span_altered: span ${victim.spanId} of run ${victim.traceId}`);
      const one = await run(['--data-dir', dir, '--trace-id', victim.traceId, '--json']);
      expect(one.code).toBe(1);
      expect(JSON.parse(one.out)).toMatchObject({
        scope: { kind: 'run' },
        problems: [{ kind: 'span_altered', spanId: victim.spanId }],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const url = process.env.CLICKHOUSE_URL;
  it.skipIf(!url)(
    `ClickHouse: an untouched database verifies; one attribute edited with ALTER … UPDATE fails naming the span${url ? '' : ' (skipped: CLICKHOUSE_URL is not set)'}`,
    async () => {
      const database = `casefile_test_${randomBytes(6).toString('hex')}`;
      const store = await ClickHouseTraceStore.open({ url: url as string, database });
      const flags = ['--clickhouse-url', url as string, '--clickhouse-database', database, '-q'];
      try {
        const victim = await fill(store);
        const clean = await run(flags);
        expect(clean.out).toMatch(/project proj-v \(project\): verified: 2 runs, 10 spans/);
        expect(clean.code).toBe(0);

        const client = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
        try {
          await client.command({
            query: `ALTER TABLE ${ident(database)}.spans UPDATE tool_arguments = '{"amount":"2000.00"}' WHERE span_id = ${literal(victim.spanId)}`,
          });
          for (let i = 0; i < 300; i++) {
            const rows = await client.query({
              query: `SELECT count() AS n FROM system.mutations WHERE database = ${literal(database)} AND is_done = 0`,
              format: 'JSONEachRow',
            });
            const [row] = await rows.json<{ n: string }>();
            if (Number(row?.n) === 0) break;
            await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          await client.close();
        }
        const tampered = await run(flags);
        expect(tampered.code).toBe(1);
        expect(tampered.out).toContain(`span_altered: span ${victim.spanId} of run ${victim.traceId}`);
      } finally {
        await store.dropDatabase();
        await store.close();
      }
    },
    120_000,
  );

  it('answers 2 with the reason when it cannot check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-verify-'));
    try {
      const bad = await run(['--data-dir', dir, '--trace-id', 'nothex']);
      expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/--trace-id must be 32 hex characters/) });
      const range = await run(['--data-dir', dir, '--from', '2030-01-02', '--to', '2030-01-01']);
      expect(range).toMatchObject({ code: 2, err: expect.stringMatching(/--from must be before --to/) });
      const flag = await run(['--colour']);
      expect(flag).toMatchObject({ code: 2, err: expect.stringMatching(/unknown flag --colour/) });
      const missing = await run([join(dir, 'nope.json')]);
      expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*nope\.json/) });
      const key = await run([join(dir, 'x.json'), '--public-key', join(dir, 'none.pem')]);
      expect(key).toMatchObject({ code: 2, err: expect.stringMatching(/--public-key: cannot read/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('casefile verify <case file>', () => {
  const key = generateSigningKey();
  const signer = createSigner(key.privateKeyPem);
  const token = 'cf_login_inv_0123456789';
  let dir: string;
  let text: string;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let victim: Step;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-verify-file-'));
    const store = createMemoryStore();
    const chain = createChainRecorder({ store, collectorId: 'cli-test', signer });
    app = await createTestApp({ project: P, store, credentials: logins({ investigator: token }), chain, signer });
    const runs = [0, 1].map((i) => buildRun({ projectId: P, startNs: DAY0 + BigInt(i) * NS_PER_DAY }));
    for (const r of runs) {
      await store.writeSteps(r);
      chain.record(r);
      await chain.flush();
    }
    victim = (runs[0] as Step[])[3] as Step;
    const ids = runs.map((r) => (r[0] as Step).traceId).join(',');
    text = await (await app.request(token, `/api/cases/export?format=json&traceIds=${ids}`)).text();
    await writeFile(join(dir, 'case.json'), text);
    await writeFile(join(dir, 'key.pem'), key.publicKeyPem);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies the file as exported, with the key from a file or from the collector', async () => {
    const self = await run([join(dir, 'case.json')]);
    expect(self.code).toBe(0);
    expect(self.out).toMatch(
      /verified: project proj-v, 2 runs, 10 spans, 2 chain entries; signed with key [0-9a-f]{16}; checked with the key the file carries only/,
    );
    const withKey = await run(['--export', join(dir, 'case.json'), '--public-key', join(dir, 'key.pem')]);
    expect(withKey.out).toMatch(/signed, signature valid \(key [0-9a-f]{16}\)/);
    expect(withKey.code).toBe(0);
    // The collector publishes its key without a login; verify fetches it.
    const fromCollector = await run([join(dir, 'case.json'), '--endpoint', 'http://collector.test'], {
      fetch: (async (input: string) => app.app.request(new URL(input).pathname)) as typeof fetch,
    });
    expect(fromCollector.out).toMatch(/signature valid/);
    expect(fromCollector.code).toBe(0);
  });

  it('fails naming the span when one attribute of the file is changed, and refuses another key', async () => {
    const file = JSON.parse(text) as { runs: { steps: { spanId: string; toolArguments: string }[] }[] };
    const step = file.runs[0]?.steps.find((s) => s.spanId === victim.spanId);
    if (!step) throw new Error('no victim step');
    step.toolArguments = '{"amount":"2000.00"}';
    await writeFile(join(dir, 'edited.json'), canonicalJson(file));
    const edited = await run([join(dir, 'edited.json'), '--public-key', join(dir, 'key.pem')]);
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/DOES NOT VERIFY/);
    expect(edited.out).toMatch(/digest_mismatch/);
    expect(edited.out).toMatch(/signature INVALID/);
    expect(edited.out).toContain(`span_altered: span ${victim.spanId} of run ${victim.traceId}`);

    await writeFile(join(dir, 'other.pem'), generateSigningKey().publicKeyPem);
    const other = await run([join(dir, 'case.json'), '--public-key', join(dir, 'other.pem')]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/signature INVALID/);
  });
});
