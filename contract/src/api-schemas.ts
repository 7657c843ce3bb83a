import { z } from 'zod';

export const whoamiSchema = z.object({
  name: z.string(),
  role: z.enum(['viewer', 'investigator', 'admin']),
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type WhoamiDto = z.infer<typeof whoamiSchema>;

/** Every error response: a stable code and a message that says what is wrong. */
export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
});
export type ErrorDto = z.infer<typeof errorSchema>;

const overviewFigures = {
  runs: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  withFindings: z.number(),
};

/**
 * `GET /api/overview`: figures per time bucket and per agent over every run that starts in the range.
 * `scannedRuns` is how many runs were counted; `maxRuns` and `truncated` remain for older clients (the
 * figures are no longer capped: `maxRuns` equals `scannedRuns`, `truncated` is false).
 */
export const overviewSchema = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  bucketMs: z.number(),
  totals: z.object(overviewFigures),
  buckets: z.array(z.object({ startMs: z.number(), ...overviewFigures })),
  agents: z.array(z.object({ agent: z.string(), ...overviewFigures })),
  scannedRuns: z.number(),
  maxRuns: z.number(),
  truncated: z.boolean(),
});
export type OverviewDto = z.infer<typeof overviewSchema>;
