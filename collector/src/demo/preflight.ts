/** Nothing answered at the collector's URL. */
export class CollectorUnreachableError extends Error {
  override name = 'CollectorUnreachableError';
}

/**
 * Sends an empty OTLP/HTTP export before the demo starts, so that a collector that is down or a
 * wrong ingest key fails the demo at once with a clear message, instead of every batch failing
 * quietly in the background.
 */
export async function checkCollector(endpoint: string, apiKey: string, timeoutMs = 5000): Promise<void> {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CollectorUnreachableError(`Cannot reach the collector at ${url}; is it running?`, { cause: error });
  }
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403) {
    throw new Error(`The collector at ${url} rejected the ingest key (HTTP ${res.status})`);
  }
  if (!res.ok) throw new Error(`The collector at ${url} answered HTTP ${res.status} to an empty export`);
}
