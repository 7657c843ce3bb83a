import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT, startCollectorProcess } from '../lib/collector-process.js';

/**
 * Detection on real recorded agent runs: the AgentDojo development sample (`../shared/agentdojo-dev`
 * beside the repository, or `AGENTDOJO_DIR`) is replayed into a real collector by the sample's own
 * sender (plain OpenTelemetry JS over OTLP/HTTP) and scored by its own scorer, which prints the
 * share of successful attacks with a high+ finding, of failed attacks with a high+ finding and of
 * clean runs with a medium+ finding, per suite, model, attack and injection task.
 *
 * `AGENTDOJO_RUNS` picks another runs file of the same format (e.g. other suites or models), and
 * `AGENTDOJO_SUITES=banking` keeps only those suites' runs (hold-out checks).
 */
export async function runAgentDojoBench(log: (line: string) => void): Promise<void> {
  const dir = process.env.AGENTDOJO_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'agentdojo-dev');
  const sender = join(dir, 'agentdojo-send.mjs');
  if (!existsSync(sender) || !existsSync(join(dir, 'score-agentdojo.mjs'))) {
    log(`agentdojo: skipped, no sample at ${dir} (set AGENTDOJO_DIR to a folder with agentdojo-send.mjs)`);
    return;
  }
  const runsFile = process.env.AGENTDOJO_RUNS ?? join(dir, 'runs-dev.jsonl.gz');
  // The scripts resolve their packages (OpenTelemetry, yaml) from where they sit: give them ours.
  const work = await mkdtemp(join(tmpdir(), 'casefile-agentdojo-'));
  const collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '300', CASEFILE_ALERT_TICK_MS: '0' });
  try {
    for (const f of await readdir(dir)) if (/\.(mjs|json)$/.test(f)) await copyFile(join(dir, f), join(work, f));
    await symlink(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    const runs = await selectRuns(runsFile, work);
    const res = await fetch(`${collector.url}/api/detection/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
      // AgentDojo's agents ask for no approvals: the sample is scored without that policy check.
      body: JSON.stringify({ disabledRules: ['approval.missing'] }),
    });
    if (!res.ok) throw new Error(`PUT /api/detection/settings → ${res.status}: ${await res.text()}`);
    const started = Date.now();
    const sent = await runNode(work, ['agentdojo-send.mjs', collector.url, collector.ingestKey, runs], {
      AD_WARMUP_WAIT_MS: process.env.AD_WARMUP_WAIT_MS ?? '20000',
    });
    if (sent.code !== 0) throw new Error(`the sender failed (${sent.code}): ${sent.stderr.slice(-2000)}`);
    await writeFile(join(work, 'send.out'), sent.stdout);
    log(`agentdojo: sent in ${Math.round((Date.now() - started) / 1000)} s (${sent.stderr.trim().split('\n').at(-1)})`);
    const detail = process.env.AGENTDOJO_DETAIL ?? join(work, 'score.json');
    const scored = await runNode(
      work,
      ['score-agentdojo.mjs', collector.url, collector.adminToken, 'send.out', detail],
      {},
      log,
    );
    if (process.env.AGENTDOJO_DETAIL) log(`agentdojo: every run with its findings in ${detail}`);
    if (scored.code !== 0 && scored.code !== 1) throw new Error(`the scorer failed (${scored.code}): ${scored.stderr}`);
  } finally {
    await collector.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** The runs file, or a copy holding only the suites in `AGENTDOJO_SUITES`. */
async function selectRuns(file: string, work: string): Promise<string> {
  const suites = process.env.AGENTDOJO_SUITES?.split(',').filter((s) => s !== '');
  if (!suites?.length) return file;
  const { gunzipSync } = await import('node:zlib');
  const raw = await readFile(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const kept = text.split('\n').filter((l) => l.trim() !== '' && suites.includes(JSON.parse(l).suite_name));
  const out = join(work, 'runs-selected.jsonl');
  await writeFile(out, `${kept.join('\n')}\n`);
  return out;
}

function runNode(
  cwd: string,
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!onLine) return;
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      if (onLine && pending !== '') onLine(pending);
      ok({ code: code ?? -1, stdout, stderr });
    });
  });
}
