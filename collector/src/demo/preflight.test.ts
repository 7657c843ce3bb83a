import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';

async function withServer(status: number, fn: (url: string) => Promise<void>) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
  return requests;
}

describe('runDemo preflight', () => {
  it('stops before sending runs when the collector refuses the key', async () => {
    const requests = await withServer(401, async (url) => {
      await expect(runDemo({ endpoint: url, apiKey: 'wrong', runs: 2, latencyScale: 0 })).rejects.toThrow(
        /rejected the ingest key \(HTTP 401\)/,
      );
    });
    expect(requests).toBe(1);
  });

  it('says so when nothing listens at the endpoint', async () => {
    let url = '';
    await withServer(200, async (u) => {
      url = u;
    });
    await expect(runDemo({ endpoint: url, apiKey: 'k', runs: 1, latencyScale: 0 })).rejects.toThrow(/Cannot reach/);
  });
});
