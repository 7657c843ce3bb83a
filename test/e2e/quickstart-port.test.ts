import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { REPO_ROOT } from '../lib/collector-process.js';
import { freePorts } from '../lib/free-port.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/** The environment of a user's shell: none of the test runner's CASEFILE_* settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CASEFILE_'))), ...extra };
}

/**
 * The README's quick start on a port other than 4318, as a user types it: `CASEFILE_PORT=<port> npm start` in
 * one terminal, plain `npm run demo` in another, then the printed URL in Chromium. It runs in a checkout of its
 * own (the repository's package.json, its built collector and UI), so its ./.casefile is the test's. The build
 * steps (`prestart`, `predemo`) are skipped with --ignore-scripts: the suite has built everything already.
 */
describe.skipIf(chromiumMissing)(
  skipTitle('quick start on a non-default port, exactly as the README says', chromiumMissing),
  () => {
    let checkout: string;
    let port: number;
    let server: ChildProcess;
    let serverOutput = '';

    beforeAll(async () => {
      checkout = await mkdtemp(join(tmpdir(), 'casefile-checkout-'));
      await writeFile(join(checkout, 'package.json'), await readFile(join(REPO_ROOT, 'package.json')));
      for (const dir of ['contract', 'sdk', 'collector', 'ui', 'node_modules']) {
        await symlink(join(REPO_ROOT, dir), join(checkout, dir));
      }
      [port] = (await freePorts(1)) as [number];
      server = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
        cwd: checkout,
        env: userEnv({ CASEFILE_PORT: String(port) }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      server.stdout?.on('data', (d: Buffer) => {
        serverOutput += d.toString();
      });
      server.stderr?.on('data', (d: Buffer) => {
        serverOutput += d.toString();
      });
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`npm start did not listen within 60 s:\n${serverOutput}`)),
          60_000,
        );
        server.stdout?.on('data', () => {
          if (/listening on http/.test(serverOutput)) {
            clearTimeout(timer);
            ok();
          }
        });
        server.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${serverOutput}`)));
      });
    }, 90_000);

    afterAll(async () => {
      if (server?.pid !== undefined && server.exitCode === null) {
        const exited = new Promise((ok) => server.once('exit', ok));
        process.kill(-server.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))]);
      }
      if (checkout) await rm(checkout, { recursive: true, force: true });
    });

    it('npm start prints the URL with the chosen port; npm run demo finds it with no flags; Overview and Drift have history', async () => {
      const url = `http://localhost:${port}`;
      expect(serverOutput).toContain(`listening on ${url}`);
      const adminToken = /admin token[^:]*:\s+(cf_login_[\w-]+)/.exec(serverOutput)?.[1];
      if (!adminToken) throw new Error(`no admin token printed:\n${serverOutput}`);

      const demo = await new Promise<{ code: number; output: string }>((ok) => {
        const child = spawn('npm', ['run', 'demo', '--ignore-scripts', '--silent'], {
          cwd: checkout,
          env: userEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          output += d.toString();
        });
        child.once('exit', (code) => ok({ code: code ?? -1, output }));
      });
      expect(demo.output).toMatch(new RegExp(`Sent \\d+ runs to ${url.replace(/[.:/]/g, '\\$&')}`));
      expect(demo.output).toMatch(/\[history 30\/30\]/);
      expect(demo.code).toBe(0);
      const sent = Number(/Sent (\d+) runs/.exec(demo.output)?.[1]);

      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await signIn(tab, url, adminToken);
        await mkdir(ARTIFACTS, { recursive: true });

        // Overview on its first visit (the last 24 hours): today's runs and the latest of the history.
        await tab.goto(`${url}/overview`);
        const meta = tab.getByTestId('overview-meta');
        await meta.waitFor();
        await expect
          .poll(async () => Number(/(\d+) runs/.exec(await meta.innerText())?.[1]), { timeout: 30_000 })
          .toBeGreaterThan(sent - 30);
        const lastDay = Number(/(\d+) runs/.exec(await meta.innerText())?.[1]);
        expect(lastDay).toBeLessThan(sent);
        await tab.screenshot({ path: join(ARTIFACTS, 'quickstart-port-overview.png'), fullPage: true });
        // Seven days: every run the demo sent, the backdated ones included.
        await tab.getByTestId('overview-range-7d').click();
        await expect
          .poll(async () => Number(/(\d+) runs/.exec(await meta.innerText())?.[1]), { timeout: 30_000 })
          .toBe(sent);
        await tab.screenshot({ path: join(ARTIFACTS, 'quickstart-port-overview-7d.png'), fullPage: true });

        // Drift as a first visit opens it (the top bar's link, no agent picked): the demo's only agent's
        // prompt versions the history went through, one click from a comparison.
        await tab.getByTestId('drift-link').click();
        const versions = tab.getByTestId('drift-versions');
        await versions.waitFor({ timeout: 30_000 });
        expect(await tab.getByTestId('drift-version-prev-prompt').innerText()).toMatch(/support-v1\d → support-v1\d/);
        expect(await tab.getByTestId('drift-empty').count()).toBe(0);
        await tab.screenshot({ path: join(ARTIFACTS, 'quickstart-port-drift.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);
  },
);
