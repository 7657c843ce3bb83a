import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface InitialCredentials {
  ingestKey: string;
  adminToken: string;
}

/**
 * Reads `<dataDir>/initial-credentials.json`, written by the collector on first start. Returns
 * undefined when the file is absent or does not hold both credentials as strings.
 */
export async function readInitialCredentials(dataDir: string): Promise<InitialCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'initial-credentials.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${join(dataDir, 'initial-credentials.json')}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const c = parsed as Partial<InitialCredentials> | null;
  if (!c || typeof c.ingestKey !== 'string' || typeof c.adminToken !== 'string' || !c.ingestKey) return undefined;
  return { ingestKey: c.ingestKey, adminToken: c.adminToken };
}
