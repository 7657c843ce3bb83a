import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';

/**
 * OTLP exporters send a batch every few seconds over one kept-alive connection (the OpenTelemetry
 * batch processors' default is every 5 s). A server that closes idle connections after the same
 * 5 s closes them just as the exporter reuses them, and that export fails ("other side closed",
 * ECONNRESET). The collector keeps idle connections long enough for the client to close first.
 */
describe('kept-alive connections', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  function get(agent: Agent): Promise<{ status: number; keepAlive: string; reused: boolean }> {
    return new Promise((ok, fail) => {
      const req = request(`${collector.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            keepAlive: String(res.headers['keep-alive'] ?? ''),
            reused: req.reusedSocket,
          }),
        );
      });
      req.on('error', fail);
      req.end();
    });
  }

  it('announces a long idle timeout and still answers on a connection idle for 6 s', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent);
      expect(first.status).toBe(200);
      expect(Number(/timeout=(\d+)/.exec(first.keepAlive)?.[1])).toBeGreaterThanOrEqual(60);
      await new Promise((r) => setTimeout(r, 6_000));
      const second = await get(agent);
      expect(second.status).toBe(200);
      expect(second.reused, 'the second request went over the idle connection').toBe(true);
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
