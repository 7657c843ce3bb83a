import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONFIG_SOURCES, type Config, ConfigError, configFromFlags } from '../config/config.js';
import { HELP_FLAG, parseFlags, UsageError } from '../config/flags.js';
import { keyIdOf, parsePublicKey } from '../evidence/signing.js';
import type { IntegrityReport } from '../evidence/verify.js';
import type { ExportReport } from '../evidence/verify-case-file.js';

/** The store settings `casefile verify` takes, as `serve` does (flag or environment variable). */
const STORE_SETTINGS = [
  'dataDir',
  'store',
  'clickhouseUrl',
  'clickhouseDatabase',
  'clickhouseUser',
  'clickhousePassword',
  'clickhouseCluster',
  'storeTimeoutMs',
  'signingKey',
] as const satisfies readonly (keyof typeof CONFIG_SOURCES)[];

const VERIFY_FLAGS = {
  export: { type: 'string' },
  'public-key': { type: 'string' },
  endpoint: { type: 'string' },
  project: { type: 'string' },
  'trace-id': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: HELP_FLAG,
  ...Object.fromEntries(STORE_SETTINGS.map((k) => [CONFIG_SOURCES[k].flag.slice(2), { type: 'string' as const }])),
} as const;

export const VERIFY_HELP = `Usage: casefile verify [<case-file.json>] [options]

Checks evidence and exits 0 when it verifies, 1 when it does not (every problem is printed, naming the
span, run or chain entry), 2 when it cannot check (bad arguments, unreadable file, store unavailable).
Progress goes to stderr.

  casefile verify case.json        an exported case file, offline: the file is unchanged (canonical JSON,
                                   digest, Ed25519 signature) and every span's inclusion proof leads to a
                                   chain entry; names a span changed, added or taken out
  casefile verify                  the store this collector uses (same settings as \`casefile serve\`):
                                   every stored span against the hash chain, and the chain itself

Options:
  --export <file>              the case file (same as the first argument)
  --public-key <file>          the collector's Ed25519 public key (PEM) to check signatures with
  --endpoint <url>             read the public key from the collector: GET <url>/api/integrity/public-key
  --project <id>               store: the project (default: every project in the store)
  --trace-id <id>              store: one run only
  --from <time>, --to <time>   store: runs started in a range (ISO 8601 or nanoseconds)
  --json                       print the report as JSON on stdout
  -q, --quiet                  no progress
${STORE_SETTINGS.map((k) => `  ${`${CONFIG_SOURCES[k].flag} <value>`.padEnd(29)}${CONFIG_SOURCES[k].env}`).join('\n')}
  -h, --help                   show this help

Without --public-key or --endpoint, a signed file is checked with the key it carries: that proves it is
whole, not who made it (the report says "self-asserted"). The store check uses the public key of
CASEFILE_SIGNING_KEY when it is set.
`;

export interface VerifyIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** For --endpoint; the global fetch by default. */
  fetch?: typeof fetch;
}

class CannotVerify extends Error {}

function parseTime(flag: string, value: string): bigint {
  if (/^\d{1,20}$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CannotVerify(`--${flag} must be an ISO 8601 time or nanoseconds, not "${value}"`);
  return BigInt(ms) * 1_000_000n;
}

/** Progress at most twice a second, on one line when stderr is a terminal. */
function progressWriter(io: VerifyIo, quiet: boolean): { line(text: string): void; done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  let shown = false;
  return {
    line(text) {
      if (quiet || Date.now() - last < 500) return;
      last = Date.now();
      shown = true;
      io.stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
    },
    done() {
      if (shown && tty) io.stderr.write('\n');
    },
  };
}

async function trustedKey(
  opts: { 'public-key'?: string | undefined; endpoint?: string | undefined },
  io: VerifyIo,
): Promise<KeyObject | undefined> {
  if (opts['public-key'] !== undefined) {
    let pem: string;
    try {
      pem = await readFile(opts['public-key'], 'utf8');
    } catch (error) {
      throw new CannotVerify(`--public-key: cannot read ${opts['public-key']}: ${(error as Error).message}`);
    }
    const key = parsePublicKey(pem);
    if (!key) throw new CannotVerify(`--public-key: ${opts['public-key']} is not an Ed25519 public key (PEM, SPKI)`);
    return key;
  }
  if (opts.endpoint !== undefined) {
    const url = `${opts.endpoint.replace(/\/+$/, '')}/api/integrity/public-key`;
    let res: Response;
    try {
      res = await (io.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new CannotVerify(`--endpoint: cannot reach ${url}: ${(error as Error).message}`);
    }
    const body = await res.text();
    if (!res.ok) throw new CannotVerify(`--endpoint: ${url} answered ${res.status}: ${body.slice(0, 300)}`);
    const key = parsePublicKey(body);
    if (!key) throw new CannotVerify(`--endpoint: ${url} did not answer an Ed25519 public key`);
    return key;
  }
  return undefined;
}

/** `casefile verify`: exit 0 verified, 1 did not verify, 2 could not check. */
export async function verifyCommand(args: readonly string[], io: VerifyIo): Promise<number> {
  const positional = args[0] !== undefined && !args[0].startsWith('-') ? args[0] : undefined;
  let opts: ReturnType<typeof parseFlags<typeof VERIFY_FLAGS>>;
  try {
    opts = parseFlags(positional === undefined ? args : args.slice(1), VERIFY_FLAGS);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`casefile verify: ${error.message}\n\n${VERIFY_HELP}`);
    return 2;
  }
  if (opts.help) {
    io.stdout.write(VERIFY_HELP);
    return 0;
  }
  try {
    if (positional !== undefined && opts.export !== undefined && positional !== opts.export) {
      throw new CannotVerify('give the case file once: as the first argument or as --export');
    }
    const file = positional ?? opts.export;
    const key = await trustedKey(opts, io);
    if (file !== undefined) {
      for (const f of ['project', 'trace-id', 'from', 'to'] as const) {
        if (opts[f] !== undefined)
          throw new CannotVerify(`--${f} selects runs of a store; a case file is checked whole`);
      }
      return await verifyFile(file, key, opts, io);
    }
    return await verifyStore(key, opts as Record<string, string | boolean | undefined>, io);
  } catch (error) {
    if (error instanceof CannotVerify || error instanceof ConfigError) {
      io.stderr.write(`casefile verify: ${error.message}\n`);
      return 2;
    }
    const { StartupError } = await import('../startup/startup-error.js');
    if (error instanceof StartupError) {
      io.stderr.write(`casefile verify: cannot open the store: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function verifyFile(
  path: string,
  key: KeyObject | undefined,
  opts: { json?: boolean | undefined; quiet?: boolean | undefined },
  io: VerifyIo,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CannotVerify(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { verifyCaseFile } = await import('../evidence/verify-case-file.js');
  const progress = progressWriter(io, opts.quiet === true);
  const report = verifyCaseFile(text, {
    publicKey: key,
    onProgress: (p) => progress.line(`verify: ${p.spans}/${p.total} spans`),
  });
  progress.done();
  if (opts.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(describeExport(path, report));
  return report.ok ? 0 : 1;
}

export function describeExport(path: string, r: ExportReport): string {
  const sig = {
    valid: `signed, signature valid (key ${r.keyId})`,
    self_asserted: `signed with key ${r.keyId}; checked with the key the file carries only (pass --public-key or --endpoint to check who signed it)`,
    unsigned: 'not signed',
    invalid: `signature INVALID${r.keyId ? ` (key ${r.keyId})` : ''}`,
  }[r.signature];
  const head = `${path}: ${r.ok ? 'verified' : 'DOES NOT VERIFY'}: project ${r.project || '?'}, ${r.runs} runs, ${r.spans} spans, ${r.entries} chain entries; ${sig}\n`;
  return head + r.problems.map((p) => `  ${p.kind}: ${p.message}\n`).join('');
}

async function verifyStore(
  key: KeyObject | undefined,
  opts: Record<string, string | boolean | undefined>,
  io: VerifyIo,
): Promise<number> {
  const settings: Record<string, string | undefined> = {};
  for (const k of STORE_SETTINGS) {
    const flag = CONFIG_SOURCES[k].flag.slice(2);
    const v = opts[flag];
    if (typeof v === 'string') settings[flag] = v;
  }
  const config: Config = configFromFlags(io.env, settings);
  let publicKey = key;
  if (!publicKey && config.signingKey !== undefined) {
    const { loadSigner } = await import('../evidence/signing-config.js');
    const signer = await loadSigner(config.signingKey);
    publicKey = signer ? parsePublicKey(signer.publicKeyPem) : undefined;
  }
  const traceId = typeof opts['trace-id'] === 'string' ? opts['trace-id'].toLowerCase() : undefined;
  if (traceId !== undefined && !/^[0-9a-f]{32}$/.test(traceId)) {
    throw new CannotVerify('--trace-id must be 32 hex characters');
  }
  const fromNs = typeof opts.from === 'string' ? parseTime('from', opts.from) : undefined;
  const toNs = typeof opts.to === 'string' ? parseTime('to', opts.to) : undefined;
  if (traceId !== undefined && (fromNs !== undefined || toNs !== undefined)) {
    throw new CannotVerify('--trace-id checks one run; leave out --from and --to');
  }
  if (fromNs !== undefined && toNs !== undefined && fromNs >= toNs)
    throw new CannotVerify('--from must be before --to');

  const { openStore } = await import('../startup/open-store.js');
  const { verifyIntegrity } = await import('../evidence/verify.js');
  const store = await openStore(config, resolve(config.dataDir));
  try {
    const projects =
      typeof opts.project === 'string' ? [opts.project] : (await store.listProjects()).map((p) => p.id).sort();
    if (projects.length === 0) throw new CannotVerify('the store holds no project');
    const progress = progressWriter(io, opts.quiet === true);
    const reports: IntegrityReport[] = [];
    for (const project of projects) {
      if (traceId !== undefined) {
        const known =
          (await store.readSpans(project, [traceId])).length > 0 ||
          (await store.chainLeaves(project, [traceId])).length > 0;
        if (!known && typeof opts.project === 'string') {
          throw new CannotVerify(
            `run ${traceId} is not stored in project ${project} and the chain records nothing of it`,
          );
        }
        if (!known) continue;
      }
      const report = await verifyIntegrity(
        store,
        project,
        {
          ...(traceId === undefined ? {} : { traceId }),
          ...(fromNs === undefined ? {} : { fromNs }),
          ...(toNs === undefined ? {} : { toNs }),
        },
        {
          publicKey: publicKey ? { key: publicKey, keyId: keyIdOf(publicKey) } : undefined,
          onProgress: (p) =>
            progress.line(`verify ${project}: ${p.runs} runs, ${p.spans} spans, ${p.entries} chain entries`),
        },
      );
      reports.push(report);
    }
    progress.done();
    if (reports.length === 0) throw new CannotVerify(`run ${traceId} is not stored in any project`);
    if (opts.json) io.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    else for (const r of reports) io.stdout.write(describeStore(r));
    return reports.every((r) => r.ok) ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function describeStore(r: IntegrityReport): string {
  const scope = r.scope.kind === 'run' ? `run ${r.scope.traceId}` : r.scope.kind === 'range' ? 'range' : 'project';
  const signed = r.heads.filter((h) => h.signed).length;
  const sig =
    signed === 0
      ? 'entries not signed'
      : r.keyId
        ? `signatures checked with key ${r.keyId}`
        : `${signed} of ${r.heads.length} heads signed, no public key to check them with`;
  const extra = [
    r.erasedSpans > 0 ? `${r.erasedSpans} spans erased` : '',
    r.droppedSpans > 0 ? `${r.droppedSpans} spans dropped by retention` : '',
  ].filter((s) => s !== '');
  const head = `project ${r.project} (${scope}): ${r.ok ? 'verified' : 'DOES NOT VERIFY'}: ${r.checked.runs} runs, ${r.checked.spans} spans, ${r.checked.entries} entries in ${r.checked.chains} chains${extra.length ? `, ${extra.join(', ')}` : ''}; ${sig}; ${r.durationMs} ms\n`;
  const lines = r.problems.map((p) => `  ${p.kind}: ${p.message}\n`).join('');
  return `${head}${lines}${r.moreProblems > 0 ? `  … and ${r.moreProblems} more problems\n` : ''}`;
}
