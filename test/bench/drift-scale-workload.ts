import type { Step } from '@casefile/collector';
import { createRandom } from '@casefile/collector/random';
import { BASE_PROFILE } from '../fixtures/drift/behaviour.js';
import { generateScenario } from '../fixtures/drift/generate.js';

export const SCALE_AGENTS = Array.from({ length: 10 }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
/** The stored period: a week of hourly windows, ending at `SCALE_END_MS`. */
export const SCALE_HOURS = 7 * 24;
export const SCALE_END_MS = Date.UTC(2026, 3, 13);
export const SCALE_START_MS = SCALE_END_MS - SCALE_HOURS * 3_600_000;
/** Each agent ships a second prompt version half-way through the week. */
export const SCALE_VERSION_AT_MS = SCALE_START_MS + (SCALE_HOURS / 2) * 3_600_000;

/**
 * Template runs for the scale bench: a few hundred runs recorded with the SDK (the drift suite's agent
 * and noise), kept as steps grouped by run.
 */
export async function recordTemplates(runs: number): Promise<Step[][]> {
  const byTrace = new Map<string, Step[]>();
  await generateScenario(
    {
      name: 'scale-template',
      seed: 4_242,
      windows: 1,
      baselineWindows: 1,
      runsPerWindow: runs,
      profileAt: () => BASE_PROFILE,
      description: 'templates',
    },
    'template',
    async (steps) => {
      for (const s of steps) {
        const list = byTrace.get(s.traceId);
        if (list) list.push(s);
        else byTrace.set(s.traceId, [s]);
      }
    },
  );
  return [...byTrace.values()];
}

/**
 * Copies of the template runs until `totalSpans` steps exist, handed out in batches: each copy gets
 * fresh trace and span IDs, one of ten agents, a start time spread over the week and the prompt
 * version that agent ran then. Contents (tool mix, lengths, refusals, latencies) vary because the
 * templates do; the copies are not new behaviour.
 */
export async function writeScaleSteps(
  templates: readonly Step[][],
  projectId: string,
  totalSpans: number,
  batchSize: number,
  write: (batch: Step[]) => Promise<void>,
): Promise<{ runs: number; spans: number }> {
  const random = createRandom(99, 'mulberry32');
  let batch: Step[] = [];
  let spans = 0;
  let runs = 0;
  const spanMs = SCALE_HOURS * 3_600_000;
  while (spans < totalSpans) {
    const template = templates[random.int(0, templates.length - 1)] as Step[];
    const agent = SCALE_AGENTS[runs % SCALE_AGENTS.length] as string;
    const startMs = SCALE_START_MS + Math.floor(random.next() * (spanMs - 60_000));
    const root = template.find((s) => s.parentSpanId === '') ?? (template[0] as Step);
    const shift = BigInt(startMs) * 1_000_000n - root.startNs;
    const version = startMs >= SCALE_VERSION_AT_MS ? `${agent}-v2` : `${agent}-v1`;
    const traceId = random.hex(32);
    const ids = new Map(template.map((s) => [s.spanId, random.hex(16)]));
    for (const s of template) {
      batch.push({
        ...s,
        projectId,
        traceId,
        spanId: ids.get(s.spanId) as string,
        parentSpanId: s.parentSpanId ? (ids.get(s.parentSpanId) ?? '') : '',
        agentName: agent,
        serviceName: agent,
        promptVersion: s.promptVersion ? version : '',
        startNs: s.startNs + shift,
        endNs: s.endNs + shift,
        events: s.events.map((e) => ({ ...e, timeNs: e.timeNs + shift })),
      });
    }
    spans += template.length;
    runs++;
    if (batch.length >= batchSize) {
      await write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await write(batch);
  return { runs, spans };
}
