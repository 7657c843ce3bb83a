import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { runPageSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseServer, startClickHouseServer } from '../lib/clickhouse-server.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';

const noServer = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v clickhouse-server || command -v clickhouse'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no clickhouse-server binary';
  }
})();

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function span(traceId: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: hex(8),
                name: 'root',
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
              },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * A ClickHouse server that accepts connections and never answers (SIGSTOP): the collector answers
 * reads, ingest and readiness with 503 + Retry-After within 5 s instead of holding every caller,
 * and after SIGCONT it serves again without a restart, with every acknowledged run still there.
 */
describe.skipIf(noServer)(`hung store${noServer ? ` (skipped: ${noServer})` : ''}`, () => {
  let server: ClickHouseServer;
  let collector: CollectorProcess;
  let stopped = false;

  beforeAll(async () => {
    server = await startClickHouseServer();
    collector = await startCollectorProcess({
      CASEFILE_CLICKHOUSE_URL: server.url,
      CASEFILE_CLICKHOUSE_DATABASE: 'casefile_hung',
    });
  }, 60_000);
  afterAll(async () => {
    if (stopped) process.kill(server.pid, 'SIGCONT');
    await collector?.stop();
    await server?.stop();
  });

  const read = () =>
    fetch(`${collector.url}/api/runs?limit=500`, { headers: { authorization: `Bearer ${collector.adminToken}` } });
  const ingest = (traceId: string) =>
    fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      body: span(traceId),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
    });
  const timed = async (call: () => Promise<Response>) => {
    const t0 = Date.now();
    const res = await call();
    const body = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - t0, body };
  };

  it('answers 503 + Retry-After within 5 s while the store is stopped, and recovers after SIGCONT', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = hex(16);
      expect((await ingest(id)).status).toBe(200);
      acknowledged.push(id);
    }
    expect((await read()).status).toBe(200);

    process.kill(server.pid, 'SIGSTOP');
    stopped = true;
    const stoppedAt = Date.now();
    const during = await Promise.all([
      timed(read),
      timed(() => ingest(hex(16))),
      timed(() => fetch(`${collector.url}/readyz`)),
    ]);
    const again = await Promise.all([timed(read), timed(() => ingest(hex(16)))]);
    console.log(
      `hung store: ${[...during, ...again].map((r) => `${r.status} in ${r.ms} ms`).join(', ')}; liveness ${(await fetch(`${collector.url}/healthz`)).status}`,
    );
    for (const r of [...during, ...again]) {
      expect(r.status, r.body).toBe(503);
      expect(r.ms).toBeLessThan(5_000);
    }
    for (const r of [...during.slice(0, 2), ...again]) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    // Liveness stays up: the process is fine, only the store is not.
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);

    process.kill(server.pid, 'SIGCONT');
    stopped = false;
    const resumedAt = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - resumedAt < 30_000) {
      status = (await read()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    console.log(
      `hung store: stopped ${resumedAt - stoppedAt} ms; serving again ${Date.now() - resumedAt} ms after SIGCONT`,
    );
    expect(status).toBe(200);
    const id = hex(16);
    expect((await ingest(id)).status).toBe(200);
    acknowledged.push(id);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let listed = new Set<string>();
    while (Date.now() < deadline) {
      listed = new Set(runPageSchema.parse(await (await read()).json()).runs.map((r) => r.traceId));
      if (acknowledged.every((a) => listed.has(a))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(acknowledged.filter((a) => !listed.has(a))).toEqual([]);
  }, 120_000);
});
