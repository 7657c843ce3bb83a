import { describe, expect, it } from 'vitest';
import type { ChainLeaf } from '../evidence.js';
import { leafGroupRows } from './clickhouse-evidence.js';

describe('chain leaf insert body', () => {
  it('holds one JSON row per run, day and entry with every column, awkward IDs escaped and surrogates replaced', () => {
    const leaf = (over: Partial<ChainLeaf>): ChainLeaf => ({
      projectId: 'p',
      traceId: 't'.repeat(32),
      spanId: 's'.repeat(16),
      chainId: 'c~1',
      seq: 0n,
      day: 20261205,
      leaf: 'ab'.repeat(32),
      ...over,
    });
    const odd = 'quote " backslash \\ newline \n lone \uD800';
    const leaves = [
      leaf({}),
      leaf({ spanId: '1'.repeat(16), leaf: 'cd'.repeat(32) }),
      leaf({ projectId: odd, seq: 18_446_744_073_709_551_615n, spanId: odd }),
      leaf({ chainId: 'other "chain"', day: 19700101 }),
    ];
    const body = leafGroupRows(leaves);
    expect(body.endsWith('\n')).toBe(true);
    const rows = body
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line));
    const fixed = odd.replace('\uD800', '\uFFFD');
    expect(rows).toEqual([
      {
        project_id: 'p',
        trace_id: 't'.repeat(32),
        day: '2026-12-05',
        chain_id: 'c~1',
        seq: '0',
        span_ids: ['s'.repeat(16), '1'.repeat(16)],
        leaves: `${'ab'.repeat(32)}${'cd'.repeat(32)}`,
      },
      {
        project_id: fixed,
        trace_id: 't'.repeat(32),
        day: '2026-12-05',
        chain_id: 'c~1',
        seq: '18446744073709551615',
        span_ids: [fixed],
        leaves: 'ab'.repeat(32),
      },
      {
        project_id: 'p',
        trace_id: 't'.repeat(32),
        day: '1970-01-01',
        chain_id: 'other "chain"',
        seq: '0',
        span_ids: ['s'.repeat(16)],
        leaves: 'ab'.repeat(32),
      },
    ]);
  });
});
