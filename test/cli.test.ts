import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './lib/collector-process.js';
import { freePorts } from './lib/free-port.js';

/** The built `casefile` command: every command explains itself, and a bad flag is named with exit code 2. */
function casefile(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe.concurrent('casefile CLI', () => {
  it.each([
    [['help'], /Usage: casefile <command>/],
    [['--help'], /Usage: casefile <command>/],
    [['serve', '--help'], /Usage: casefile serve[\s\S]*--port <value>\s+CASEFILE_PORT/],
    [['serve', '-h'], /Usage: casefile serve/],
    [['demo', '--help'], /Usage: casefile demo[\s\S]*--api-key <key>/],
    [['redact', '--help'], /Usage: casefile redact[\s\S]*--key <key>/],
    [['help', 'demo'], /Usage: casefile demo/],
    [
      ['verify', '--help'],
      /Usage: casefile verify[\s\S]*--public-key <file>[\s\S]*--data-dir <value>\s+CASEFILE_DATA_DIR/,
    ],
    [['help', 'verify'], /Usage: casefile verify/],
  ])('casefile %j prints its help and exits 0', async (args, help) => {
    const { code, stdout } = await casefile(args);
    expect(stdout).toMatch(help);
    expect(code).toBe(0);
  });

  it.each([
    [['serve', '--prot', '1'], /casefile serve: unknown flag --prot/],
    [['serve', '--port'], /casefile serve: flag --port needs a value/],
    [['serve', 'now'], /casefile serve: unexpected argument now/],
    [['serve', '--port', 'eighty'], /CASEFILE_PORT \(--port\)/],
    [['demo', '--bogus'], /casefile demo: unknown flag --bogus/],
    [['demo', '--runs', 'many', '--api-key', 'k'], /--runs must be an integer/],
    [['redact', '--json=yes'], /casefile redact: flag --json takes no value/],
    [['help', 'nothing'], /casefile help: unknown command "nothing"/],
    [['nothing'], /casefile: unknown command "nothing"/],
  ])('casefile %j names what is wrong and exits 2', async (args, message) => {
    const { code, stdout, stderr } = await casefile(args);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('casefile demo with no collector to reach says where it looked and which flag to pass', async () => {
    const [port] = await freePorts(1);
    const dataDir = await mkdtemp(join(tmpdir(), 'casefile-cli-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CASEFILE_')));
    try {
      const viaPort = await casefile(['demo', '--api-key', 'cf_ingest_x', '--data-dir', dataDir], {
        ...env,
        CASEFILE_PORT: String(port),
      });
      expect(viaPort.stderr).toContain(`Cannot reach the collector at http://localhost:${port}/v1/traces`);
      expect(viaPort.stderr).toContain('(the URL came from CASEFILE_PORT)');
      expect(viaPort.stderr).toMatch(/--endpoint http:\/\/localhost:<port>/);
      expect(viaPort.code).toBe(1);
      const noKey = await casefile(['demo', '--data-dir', dataDir], env);
      expect(noKey.stderr).toMatch(/no ingest key: pass --api-key .*--data-dir/);
      expect(noKey.code).toBe(2);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
