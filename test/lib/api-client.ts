import { type RunDetailDto, type RunPageDto, runDetailSchema, runPageSchema } from '@casefile/contract';

/** A small typed client over the query API, for tests and benches. */
export function createApiClient(url: string, token: string) {
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
    return res.json();
  };
  return {
    async runs(params: Record<string, string> = {}): Promise<RunPageDto> {
      return runPageSchema.parse(await get(`/api/runs?${new URLSearchParams(params)}`));
    },
    async run(traceId: string): Promise<RunDetailDto> {
      return runDetailSchema.parse(await get(`/api/runs/${traceId}`));
    },
    /** Poll until `predicate` holds for the run list (writes are batched, so allow a moment). */
    async waitForRuns(predicate: (page: RunPageDto) => boolean, params: Record<string, string> = { limit: '500' }) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const page = await this.runs(params);
        if (predicate(page)) return page;
        if (Date.now() > deadline) throw new Error(`runs never matched; last page had ${page.runs.length} runs`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
