import { describe, expect, it } from 'vitest';
import type { ChainLeaf } from '../evidence.js';
import { leafRows } from './clickhouse-evidence.js';

describe('chain leaf insert body', () => {
  it('holds one JSON row per leaf with every column, awkward project and chain IDs escaped and surrogates replaced', () => {
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
    const leaves = [
      leaf({}),
      leaf({ spanId: '1'.repeat(16) }),
      leaf({ projectId: 'quote " backslash \\ newline \n lone \uD800', seq: 18_446_744_073_709_551_615n }),
      leaf({ chainId: 'other "chain"', day: 19700101 }),
      leaf({}),
    ];
    const body = leafRows(leaves);
    expect(body.endsWith('\n')).toBe(true);
    const rows = body
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toEqual(
      leaves.map((l) => ({
        project_id: l.projectId.replace('\uD800', '\uFFFD'),
        trace_id: l.traceId,
        span_id: l.spanId,
        chain_id: l.chainId,
        seq: l.seq.toString(),
        day: `${String(l.day).slice(0, 4)}-${String(l.day).slice(4, 6)}-${String(l.day).slice(6)}`,
        leaf: l.leaf,
      })),
    );
  });
});
