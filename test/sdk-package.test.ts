import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from './lib/api-client.js';
import { type CollectorProcess, REPO_ROOT, startCollectorProcess } from './lib/collector-process.js';

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(cmd, args, { cwd, env, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The first ```ts block of sdk/README.md: the example a new user copies. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'sdk/README.md'), 'utf8');
  const m = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error('no ts block under "## Quick start" in sdk/README.md');
  return m[1];
}

/**
 * The SDK as a user installs it from a clone: `npm pack -w sdk`, `npm install <tarball>` in a new project, the
 * README's first example type-checked against the shipped declarations and run against a real collector, and a
 * run that throws still exported because the example shuts down in `finally`.
 */
describe('@casefile/sdk from a packed tarball in a new project', () => {
  let dir: string;
  let tarball: string;
  let collector: CollectorProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-sdk-user-'));
    const pack = await sh('npm', ['pack', '-w', 'sdk', '--pack-destination', dir, '--json'], REPO_ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    tarball = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0]?.filename ?? '');
    const app = join(dir, 'app');
    await sh('mkdir', ['-p', app], dir);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'my-agent', private: true, type: 'module', version: '1.0.0' }, null, 2),
    );
    const install = await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
    expect(install.code, install.stderr).toBe(0);
    collector = await startCollectorProcess();
  }, 300_000);

  afterAll(async () => {
    await collector?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships built code, declarations and sources, no tests and no build state', async () => {
    const listed = await sh('tar', ['tzf', tarball], dir);
    const files = listed.stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/dist/redact/index.d.ts');
    expect(files).toContain('package/src/index.ts');
    expect(files).toContain('package/README.md');
    expect(files.filter((f) => /\.test\.|\.suite\.|\.fixtures\.|tsbuildinfo/.test(f))).toEqual([]);
    const installed = JSON.parse(
      await readFile(join(dir, 'app/node_modules/@casefile/sdk/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(installed.name).toBe('@casefile/sdk');
    expect(Object.keys(installed.exports as object)).toEqual([
      '.',
      './attributes',
      './action-hash',
      './redact',
      './redaction-key',
    ]);
  });

  it("the README's first example type-checks against the package and records its run", async () => {
    const app = join(dir, 'app');
    const example = (await readmeExample()).replace("'http://localhost:4318'", JSON.stringify(collector.url));
    await writeFile(join(app, 'example.ts'), example);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          types: [],
          outDir: 'out',
        },
        files: ['example.ts'],
      }),
    );
    // Node's own types are not installed in the new project: declare the little the example uses.
    await writeFile(
      join(app, 'env.d.ts'),
      'declare const process: { env: Record<string, string | undefined> };\ndeclare const console: { log(...a: unknown[]): void };\n',
    );
    const tsconfig = JSON.parse(await readFile(join(app, 'tsconfig.json'), 'utf8'));
    tsconfig.files.push('env.d.ts');
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = await sh(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], app);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    const run = await sh(process.execPath, ['out/example.js'], app, {
      ...process.env,
      CASEFILE_API_KEY: collector.ingestKey,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/Refund 20\.00 USD for A-1042\. \(trace [0-9a-f]{32}\)/);
    const traceId = /trace ([0-9a-f]{32})/.exec(run.stdout)?.[1] as string;
    const api = createApiClient(collector.url, collector.adminToken);
    const detail = await waitFor(
      () => api.run(traceId),
      (d) => d.steps.length >= 5,
    );
    expect(detail.steps.map((s) => s.kind).sort()).toEqual(['agent', 'approval', 'llm', 'retrieval', 'tool']);
  }, 120_000);

  it('a run that throws is still exported when shutdown() is in finally', async () => {
    const app = join(dir, 'app');
    await writeFile(
      join(app, 'throws.mjs'),
      `import { initCasefile, run, toolCall } from '@casefile/sdk';
const casefile = initCasefile({ endpoint: ${JSON.stringify(collector.url)}, apiKey: process.env.CASEFILE_API_KEY, agent: { name: 'failing-agent', version: '1.0.0' } });
try {
  await run('refund-that-fails', { input: 'refund A-7' }, async ({ traceId }) => {
    console.log(traceId);
    await toolCall({ name: 'issue_refund', arguments: { order_id: 'A-7' }, risk: 'irreversible' }, async () => {
      throw new Error('payments API timed out');
    });
  });
} finally {
  await casefile.shutdown();
}
`,
    );
    const r = await sh(process.execPath, ['throws.mjs'], app, {
      ...process.env,
      CASEFILE_API_KEY: collector.ingestKey,
    });
    expect(r.stderr).toContain('payments API timed out');
    expect(r.code).not.toBe(0);
    const traceId = r.stdout.trim();
    const api = createApiClient(collector.url, collector.adminToken);
    const detail = await waitFor(
      () => api.run(traceId),
      (d) => d.steps.length >= 2,
    );
    const tool = detail.steps.find((s) => s.toolName === 'issue_refund');
    expect(tool?.status).toBe('error');
  }, 60_000);
});

async function waitFor<T>(read: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > until) throw new Error(`not there after ${timeoutMs} ms: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
