import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { faultBatch } from '../lib/fault-load.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

const hex = () => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/**
 * An admin in the browser: creates a project, gives it an ingest key and a person, sees the key work,
 * then revokes the key and disables the person on the Admin page — the next request with either is
 * refused (401), with no restart and no wait.
 */
describe.skipIf(chromiumMissing)(skipTitle('projects, people and keys in the browser', chromiumMissing), () => {
  let collector: CollectorProcess;
  let browser: Browser;
  beforeAll(async () => {
    collector = await startCollectorProcess();
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  const send = (key: string) =>
    fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      body: faultBatch([hex()]),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });

  it('creates a project with a key and a person, and revokes both at once', async () => {
    expect((await send(collector.ingestKey)).status).toBe(200);
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('dialog', (d) => void d.accept());
    await signIn(tab, collector.url, collector.adminToken);

    await tab.getByTestId('admin-link').click();
    await tab.getByTestId('admin-page').waitFor();
    await tab.getByTestId('new-project-id').fill('claims-bot');
    await tab.getByTestId('new-project-name').fill('Claims bot');
    await tab.getByTestId('create-project').click();
    await tab.locator('[data-testid="project-credentials"][data-project-id="claims-bot"]').waitFor();
    // The list of projects reloads after the new project's pane opens: wait for its row, then count it.
    const projectRow = tab.locator('[data-testid="project-row"][data-project-id="claims-bot"]');
    await projectRow.first().waitFor();
    expect(await projectRow.count()).toBe(1);

    await tab.getByTestId('new-key-name').fill('claims agent');
    await tab.getByTestId('add-key').click();
    const key = (await tab.getByTestId('issued-secret-value').innerText()).trim();
    expect(key).toMatch(/^cf_ingest_/);
    expect((await send(key)).status).toBe(200);

    await tab.getByRole('button', { name: 'Done' }).click();
    await tab.getByTestId('new-person-name').fill('Ines Ortega');
    await tab.getByTestId('new-person-role').selectOption('investigator');
    await tab.getByTestId('add-person').click();
    const token = (await tab.getByTestId('issued-secret-value').innerText()).trim();
    expect(token).toMatch(/^cf_login_/);
    const whoami = await fetch(`${collector.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await whoami.json()) as { role: string; projects: { id: string }[] }).projects.map((p) => p.id)).toEqual([
      'claims-bot',
    ]);
    await tab.screenshot({ path: join(ARTIFACTS, 'admin-people-and-keys.png'), fullPage: true });

    const keyRow = tab.locator('[data-testid="keys-table"] [data-testid="credential-row"][data-name="claims agent"]');
    await keyRow.getByTestId('revoke').click();
    await tab.locator('[data-testid="keys-table"] [data-name="claims agent"][data-revoked="true"]').waitFor();
    expect((await send(key)).status).toBe(401);

    const personRow = tab.locator(
      '[data-testid="people-table"] [data-testid="credential-row"][data-name="Ines Ortega"]',
    );
    await personRow.getByTestId('revoke').click();
    await tab.locator('[data-testid="people-table"] [data-name="Ines Ortega"][data-revoked="true"]').waitFor();
    expect((await fetch(`${collector.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
    expect(await personRow.innerText()).toContain('disabled');
    // The bootstrap key of the default project still works: only what was revoked is refused.
    expect((await send(collector.ingestKey)).status).toBe(200);
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows admins whether detection keeps up: runs waiting, lag, runs detected', async () => {
    for (let i = 0; i < 3; i++) expect((await send(collector.ingestKey)).status).toBe(200);
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await signIn(tab, collector.url, collector.adminToken);
    await tab.getByTestId('admin-link').click();
    const panel = tab.getByTestId('collector-status');
    // The panel refreshes itself: once detection has examined the runs sent, it says so.
    await panel.getByText('none: every stored run has been examined').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('status-lag').innerText()).toBe('caught up');
    const detected = await panel.getByTestId('status-detected').innerText();
    expect(Number(detected.match(/^([\d,]+) runs? since start/)?.[1]?.replace(/,/g, ''))).toBeGreaterThanOrEqual(3);
    expect(await panel.getByTestId('status-queue').innerText()).toMatch(/^0 spans not yet written$/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows a person who is not an admin no Admin link and no forms', async () => {
    const made = await fetch(`${collector.url}/api/admin/credentials`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'login', name: 'Vic Viewer', projects: ['default'] }),
      headers: { authorization: `Bearer ${collector.adminToken}`, 'content-type': 'application/json' },
    });
    const { secret } = (await made.json()) as { secret: string };
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(tab, collector.url, secret);
    expect(await tab.getByTestId('admin-link').count()).toBe(0);
    await tab.goto(`${collector.url}/admin`);
    await tab.getByTestId('admin-only').waitFor();
    expect(await tab.getByTestId('create-project').count()).toBe(0);
  }, 60_000);
});
