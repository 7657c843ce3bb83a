import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_KEY, redactCommand } from './redact-command.js';

async function run(args: string[], stdin: string) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errChunks: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  err.on('data', (c) => errChunks.push(String(c)));
  const code = await redactCommand(args, Readable.from([stdin]), out, err);
  return { code, stdout: chunks.join(''), stderr: errChunks.join('') };
}

describe('casefile redact', () => {
  it('redacts text from stdin to stdout', async () => {
    const r = await run([], 'mail bob@example.com, key AKIAQ7XJ4M2ZB5KD3WTR\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mail \[email:[0-9a-f]{8}@example\.com\], key \[aws_key:[0-9a-f]{8}\]\n$/);
  });

  it('keeps JSON input valid JSON', async () => {
    const r = await run([], JSON.stringify({ to: 'bob@example.com', password: 'hunter22', n: 1 }));
    const parsed = JSON.parse(r.stdout);
    expect(parsed.to).toMatch(/^\[email:/);
    expect(parsed.password).toMatch(/^\[password:/);
    expect(parsed.n).toBe(1);
  });

  it('prints findings with offsets under --json', async () => {
    const text = 'ip 203.0.113.9 and bob@example.com';
    const r = await run(['--json'], text);
    const { findings } = JSON.parse(r.stdout);
    expect(findings).toEqual([
      { kind: 'ip', rule: 'pii-ipv4', start: 3, end: 14 },
      { kind: 'email', rule: 'pii-email', start: 19, end: 34 },
    ]);
    expect(text.slice(findings[1].start, findings[1].end)).toBe('bob@example.com');
  });

  it('uses the key for tokens, so different keys give different tokens', async () => {
    const a = await run(['--key', 'project-a-key'], 'bob@example.com');
    const b = await run(['--key=project-b-key'], 'bob@example.com');
    const d = await run([], 'bob@example.com');
    expect(a.stdout).not.toBe(b.stdout);
    expect(d.stdout).not.toBe(a.stdout);
  });

  it('does not truncate large input', async () => {
    const big = `${'lorem ipsum '.repeat(5000)}bob@example.com`;
    const r = await run([], big);
    expect(r.stdout.startsWith('lorem ipsum')).toBe(true);
    expect(r.stdout).toMatch(/\[email:[0-9a-f]{8}@example\.com\]$/);
  });

  it('prints help naming the default key, and rejects unknown arguments', async () => {
    const help = await run(['--help'], '');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(DEFAULT_LOCAL_KEY);
    expect(help.stdout).toContain('CASEFILE_REDACTION_KEY');
    const bad = await run(['--bogus'], '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown flag --bogus');
    expect((await run(['--key'], '')).code).toBe(2);
  });
});
