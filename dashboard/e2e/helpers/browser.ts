import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from './core';
import { requireEnv } from './env';

export const screenshotDir = join(repoRoot, 'test-artifacts/screenshots');

/** Debian's Chromium, never a downloaded one; these flags work as root on a bare machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireEnv('CHROMIUM_PATH'),
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

/** The whole page, or with `fullPage: false` what the viewport shows (a modal drawer covers only that). */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  // Let entry animations settle so the picture shows the page at rest.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}
