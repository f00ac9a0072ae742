import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium-headless-shell (bin/bootstrap.sh installs it), driven by playwright-core through its
 * executablePath: a real browser, never a downloaded one.
 */
export function launchBrowser(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium-headless-shell'], { encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath });
}

/**
 * A new page signed in on the embedded demo's sign-in page as `who` (the button's name starts with it), on their
 * `tab`, once its live stream is up.
 */
export async function signedInTab(
  browser: Browser,
  webUrl: string,
  who: string,
  tab: 'agent' | 'supervisor',
  query = '',
): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${webUrl}/tabs/${tab}${query}`);
  await page.waitForURL(/\/tabs\/sign-in/);
  await page.getByRole('button', { name: new RegExp(`^${who} `) }).click();
  await page.waitForURL(new RegExp(`/tabs/${tab}`));
  await page.getByText('Live', { exact: true }).waitFor();
  return page;
}
