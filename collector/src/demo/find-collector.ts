import { resolve } from 'node:path';
import { readCollectorFile } from '../startup/collector-file.js';

export interface DemoTarget {
  endpoint: string;
  /** Where the endpoint came from, said when the collector cannot be reached. */
  source: string;
}

/**
 * Which collector the demo talks to: `--endpoint`, else `CASEFILE_ENDPOINT`, else `CASEFILE_PORT` on
 * localhost (the variable the collector itself reads), else the collector recorded in the data dir
 * (`collector.json`, written while one runs), else http://localhost:4318.
 */
export async function findCollector(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  dataDir: string,
): Promise<DemoTarget> {
  if (flag) return { endpoint: flag, source: '--endpoint' };
  if (env.CASEFILE_ENDPOINT) return { endpoint: env.CASEFILE_ENDPOINT, source: 'CASEFILE_ENDPOINT' };
  if (env.CASEFILE_PORT && /^\d+$/.test(env.CASEFILE_PORT) && env.CASEFILE_PORT !== '0') {
    return { endpoint: `http://localhost:${env.CASEFILE_PORT}`, source: 'CASEFILE_PORT' };
  }
  const running = await readCollectorFile(resolve(dataDir));
  if (running) {
    return { endpoint: running.url, source: `the collector running on ${resolve(dataDir)} (PID ${running.pid})` };
  }
  return { endpoint: 'http://localhost:4318', source: 'the default port' };
}
