import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CASEFILE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Debian's Chromium, headless, with nothing that reaches for the network on its own (Playwright gives it a fresh profile). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const ARTIFACTS = join(import.meta.dirname ?? '.', '..', 'artifacts');

/** Signs in on the app's login page with a login token and waits for the runs list. */
export async function signIn(tab: Page, url: string, token: string): Promise<void> {
  await tab.goto(url);
  await tab.getByTestId('token-input').fill(token);
  await tab.getByTestId('token-input').press('Enter');
  await tab.getByTestId('run-row').first().waitFor();
}
