import { readFile } from 'node:fs/promises';

/**
 * Where a collector's time went, from a V8 `.cpuprofile` (`node --cpu-prof`): every sample is
 * charged to the innermost frame on its stack that belongs to a known part of the ingest path, so a
 * JSON.parse inside the OTLP decoder counts as decode and a socket write inside the ClickHouse client
 * as store. `(idle)` is the event loop waiting (for the store, for requests).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const PARTS: Array<[string, (url: string, fn: string) => boolean]> = [
  // Before the store client: the chain's appends live in the stores' evidence modules.
  ['hash chain (canonical records, leaves, appends)', (u) => /\/evidence\/|chain-leaf-groups|-evidence\.js/.test(u)],
  ['detection (reads + rules)', (u) => /\/ingest\/detection-|\/detect\//.test(u)],
  ['redaction pass', (u) => /redact/.test(u)],
  ['normalise', (u) => /\/normalize\//.test(u)],
  ['decode (OTLP protobuf/JSON)', (u) => /\/otlp\/|protobufjs/.test(u)],
  ['store client (build rows, send, parse)', (u) => /\/store\/|@clickhouse|@duckdb|duckdb/.test(u)],
  ['batching writer', (u) => /batching-writer/.test(u)],
  ['HTTP server + auth + routing', (u) => /hono|node-server|\/api\/|\/auth\//.test(u)],
];

export interface ProfileSplit {
  totalMs: number;
  parts: Array<{ part: string; ms: number; share: number }>;
}

export async function splitProfile(path: string): Promise<ProfileSplit> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const classify = (id: number): string => {
    const cached = memo.get(id);
    if (cached) return cached;
    const node = byId.get(id) as ProfileNode;
    const fn = node.callFrame.functionName;
    let part: string | undefined;
    if (fn === '(idle)') part = 'idle (waiting for requests or the store)';
    else if (fn === '(garbage collector)') part = 'garbage collection';
    else if (fn === '(program)') part = 'V8/native (program)';
    else {
      for (let cur: number | undefined = id; cur !== undefined && !part; cur = parent.get(cur)) {
        const f = (byId.get(cur) as ProfileNode).callFrame;
        part = PARTS.find(([, test]) => test(f.url, f.functionName))?.[0];
      }
    }
    const result = part ?? 'other JavaScript (node internals, streams, timers)';
    memo.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const part = classify(id);
    totals.set(part, (totals.get(part) ?? 0) + ms);
  });
  return {
    totalMs: total,
    parts: [...totals.entries()].map(([part, ms]) => ({ part, ms, share: ms / total })).sort((a, b) => b.ms - a.ms),
  };
}
