import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { agents } from '../../flows/index.js';
import { launchBrowser } from './browser.js';
import { startTestStack, type TestStack } from './stack.js';

/** A demo agent's Teams user id (flows/index.ts), by the display name the demo's sign-in page shows. */
export function demoAgentId(name: string): string {
  const found = Object.entries(agents).find(([, a]) => a.name === name);
  if (!found) throw new Error(`no demo agent named ${name} in flows/index.ts`);
  return found[0];
}

/**
 * The real stack and a real browser for a test file of the Teams tabs (issue 23): both start, side by side, before
 * the file's tests (`use` assigns the file's own variables) and are closed after them, also when a test failed. One
 * place for the set-up that teams-tabs, teams-opt-out-offers and teams-wrap-up each copied (issue 20, point 7).
 */
export function stackAndBrowserForFile(
  use: (stack: TestStack, browser: Browser) => void,
  stackOptions: Parameters<typeof startTestStack>[1] = {},
): void {
  let stack: TestStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({}, stackOptions), launchBrowser()]);
    use(stack, browser);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
}
