import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { Credential, CredentialStore, ProjectStore } from '../store/port.js';
import { generateSecret, hashSecret } from './secrets.js';

export const DEFAULT_PROJECT = 'default';

export interface BootstrapOptions {
  dataDir: string;
  ingestKey?: string | undefined;
  adminToken?: string | undefined;
  log: Logger;
}

export const INITIAL_CREDENTIALS_FILE = 'initial-credentials.json';

/**
 * Make sure there is a default project with an ingest key and an admin login token.
 * Given keys (automation) are registered by hash. With none given, the first start generates both,
 * prints them once and writes them to `<dataDir>/initial-credentials.json` (mode 0600) so local tools
 * such as `casefile demo` can find them; delete that file once the keys are stored elsewhere.
 */
export async function bootstrap(store: CredentialStore & ProjectStore, opts: BootstrapOptions): Promise<void> {
  const projects = await store.listProjects();
  const now = BigInt(Date.now()) * 1_000_000n;
  if (!projects.some((p) => p.id === DEFAULT_PROJECT)) {
    await store.putProject({ id: DEFAULT_PROJECT, name: 'Default project', createdNs: now });
  }
  const make = (secret: string, kind: Credential['kind']): Credential => ({
    hash: hashSecret(secret),
    kind,
    projectIds: [DEFAULT_PROJECT],
    role: kind === 'login' ? 'admin' : 'viewer',
    name: kind === 'login' ? 'bootstrap admin' : 'bootstrap ingest key',
    createdNs: now,
    revoked: false,
  });
  if (opts.ingestKey || opts.adminToken) {
    if (opts.ingestKey && !(await store.findCredential(hashSecret(opts.ingestKey)))) {
      await store.putCredential(make(opts.ingestKey, 'ingest'));
    }
    if (opts.adminToken && !(await store.findCredential(hashSecret(opts.adminToken)))) {
      await store.putCredential(make(opts.adminToken, 'login'));
    }
    return;
  }
  if ((await store.listCredentials()).length > 0) return;
  const ingestKey = generateSecret('cf_ingest');
  const adminToken = generateSecret('cf_login');
  await store.putCredential(make(ingestKey, 'ingest'));
  await store.putCredential(make(adminToken, 'login'));
  await mkdir(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, INITIAL_CREDENTIALS_FILE);
  await writeFile(file, `${JSON.stringify({ ingestKey, adminToken }, null, 2)}\n`, { mode: 0o600 });
  opts.log.info(
    [
      'First start: created the default project and its credentials (shown once; only hashes are stored).',
      `  ingest key  (agents send it as Authorization: Bearer …): ${ingestKey}`,
      `  admin token (log in to the UI and API with it):          ${adminToken}`,
      `  A copy is in ${file} (mode 0600) for local tools; delete it once you have stored the keys.`,
    ].join('\n'),
    { file },
  );
}
