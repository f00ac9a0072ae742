/**
 * `npm run docs:screenshots`: the two tabs, in Teams' light and dark themes, as the README shows them
 * (docs/screenshots/). The embedded stack with the demo's agents and supervisor, in Debian's chromium-headless-shell.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { DEMO_SUPERVISOR } from '../../src/tabs/demo-sign-in.js';
import { agents } from '../../flows/index.js';
import { startDemoStack } from './demo-stack.js';

const out = new URL('../../docs/screenshots/', import.meta.url);
const stack = await startDemoStack();
const browser = await chromium.launch({
  executablePath: execFileSync('sh', ['-c', 'command -v chromium-headless-shell'], { encoding: 'utf8' }).trim(),
});
try {
  await mkdir(out, { recursive: true });
  const agent = Object.keys(agents)[0]!;
  for (const theme of ['default', 'dark'] as const) {
    for (const [tab, who] of [
      ['agent', agent],
      ['supervisor', DEMO_SUPERVISOR.id],
    ] as const) {
      const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
      await page.goto(`${stack.webUrl}/tabs/sign-in?as=${who}&next=${tab}&theme=${theme}`);
      await page.waitForURL(new RegExp(`/tabs/${tab}`));
      await page.getByText('Live', { exact: true }).waitFor();
      const file = new URL(`${tab}-${theme === 'default' ? 'light' : 'dark'}.png`, out);
      await page.screenshot({ path: file.pathname, fullPage: true });
      process.stdout.write(`${file.pathname}\n`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await stack.stop();
}
