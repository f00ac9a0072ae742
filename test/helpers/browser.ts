import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium-headless-shell (bin/bootstrap.sh installs it), driven by playwright-core through its
 * executablePath: a real browser, never a downloaded one.
 */
export function launchBrowser(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium-headless-shell'], { encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath });
}
