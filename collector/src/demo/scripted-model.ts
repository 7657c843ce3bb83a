/**
 * A stand-in for an LLM: canned but varied replies, token counts and latencies drawn from a seeded
 * generator, so every demo run is reproducible and no model or network is needed.
 */
import { createRandom, type Random } from '../random/random.js';

export const DEMO_PROVIDER = 'casefile.demo';
export const DEMO_MODEL = 'support-sim-1';
export const DEMO_MODEL_PINNED = 'support-sim-1-2025-06-01';

export interface ScriptedReply {
  text: string;
  responseModel: string;
  usage: { inputTokens: number; outputTokens: number };
  finishReasons: string[];
}

export class ModelRateLimitError extends Error {
  override readonly name = 'RateLimitError';
  readonly status = 429;
}

export interface ScriptedModel {
  /** Replies with `text`, after a latency drawn for a reply of its length. */
  reply(promptChars: number, text: string, finishReason?: string): Promise<ScriptedReply>;
  /** Waits like a model that then fails. */
  fail(): Promise<never>;
  /** Waits like a tool or service call. */
  work(minMs: number, maxMs: number): Promise<void>;
  random: Random;
}

export function createScriptedModel(seed: number, latencyScale: number): ScriptedModel {
  // The demo is defined by mulberry32's stream (see RandomAlgorithm).
  const random = createRandom(seed, 'mulberry32');
  const sleep = (ms: number) =>
    new Promise<void>((done) => setTimeout(done, Math.max(0, Math.round(ms * latencyScale))));
  return {
    random,
    async reply(promptChars, text, finishReason = 'stop') {
      const outputTokens = Math.max(1, Math.round(text.length / 4) + random.int(-3, 6));
      // Latency grows with output length, with jitter: time to first token plus per-token time.
      await sleep(random.int(250, 700) + outputTokens * random.int(8, 20));
      return {
        text,
        responseModel: DEMO_MODEL_PINNED,
        usage: { inputTokens: Math.round(promptChars / 4) + random.int(180, 260), outputTokens },
        finishReasons: [finishReason],
      };
    },
    async fail() {
      await sleep(random.int(800, 2000));
      throw new ModelRateLimitError('429 Too Many Requests: rate limit reached for support-sim-1, retry after 20s');
    },
    async work(minMs, maxMs) {
      await sleep(random.int(minMs, maxMs));
    },
  };
}
