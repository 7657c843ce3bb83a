import { createApiClient } from '../lib/api-client.js';
import { hasChromium, launchBrowser } from '../lib/browser.js';
import { startCollectorProcess } from '../lib/collector-process.js';
import { fmt, median, table } from './stats.js';

const SIZES = [100, 1_000, 5_000];
const REPS = 5;
/** Spans per OTLP request, well under the collector's body limit. */
const CHUNK = 1_000;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A synthetic run: one agent root, then alternating model and tool steps, a few nested two deep. */
function syntheticSpans(traceId: string, steps: number) {
  const start = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return Array.from({ length: steps }, (_, i) => {
    const tool = i % 2 === 0;
    const parent = i === 0 ? '' : i % 10 === 5 ? hex(i, 16) : hex(1, 16);
    return {
      traceId,
      spanId: hex(i + 1, 16),
      parentSpanId: i % 10 === 5 ? hex(i, 16) : parent,
      name: i === 0 ? 'invoke_agent bench' : tool ? `execute_tool tool_${i % 7}` : 'chat bench-model',
      kind: 1,
      startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(start + BigInt(i) * 1_000_000n + (i === 0 ? BigInt(steps) * 1_000_000n : 900_000n)),
      attributes:
        i === 0
          ? [attr('gen_ai.agent.name', 'bench-agent'), attr('gen_ai.operation.name', 'invoke_agent')]
          : tool
            ? [attr('gen_ai.tool.name', `tool_${i % 7}`), attr('gen_ai.tool.call.arguments', `{"n":${i}}`)]
            : [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'bench-model')],
      status: { code: 0 },
    };
  });
}

/**
 * Time to first render of the replay page for runs of 100, 1,000 and 5,000 steps: from navigation
 * to the first visible `step-row`, median of 5, against a real collector process and Chromium.
 */
export async function runReplayBench(log: (line: string) => void): Promise<Record<string, number>> {
  if (!hasChromium) {
    log('replay: skipped (no Chromium)');
    return {};
  }
  const collector = await startCollectorProcess();
  const api = createApiClient(collector.url, collector.adminToken);
  const browser = await launchBrowser();
  const results: Record<string, number> = {};
  try {
    const traces = new Map<number, string>();
    for (const [k, size] of SIZES.entries()) {
      const traceId = hex(0xbe000 + k, 32);
      const spans = syntheticSpans(traceId, size);
      for (let i = 0; i < spans.length; i += CHUNK) {
        const body = {
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
              scopeSpans: [{ scope: { name: 'bench' }, spans: spans.slice(i, i + CHUNK) }],
            },
          ],
        };
        const res = await fetch(`${collector.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`ingest of the ${size}-step run failed: ${res.status} ${await res.text()}`);
      }
      await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId && r.stepCount === size), {
        limit: '50',
      });
      traces.set(size, traceId);
    }

    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await tab.goto(collector.url);
    await tab.getByTestId('token-input').fill(collector.adminToken);
    await tab.getByTestId('token-input').press('Enter');
    await tab.getByTestId('run-row').first().waitFor();

    const rows: (string | number)[][] = [['steps', 'median ms', 'min ms', 'max ms', 'rows mounted']];
    for (const size of SIZES) {
      const times: number[] = [];
      let mounted = 0;
      for (let r = 0; r < REPS; r++) {
        await tab.goto('about:blank');
        const t0 = performance.now();
        await tab.goto(`${collector.url}/runs/${traces.get(size)}`);
        await tab.getByTestId('step-row').first().waitFor({ state: 'visible' });
        times.push(performance.now() - t0);
        mounted = await tab.getByTestId('step-row').count();
      }
      results[`replay_first_render_ms_${size}`] = median(times);
      rows.push([fmt(size), fmt(median(times)), fmt(Math.min(...times)), fmt(Math.max(...times)), mounted]);
    }
    log(table(rows));
    return results;
  } finally {
    await browser.close();
    await collector.stop();
  }
}
