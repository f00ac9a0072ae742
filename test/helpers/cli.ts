import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs `switchboard <args>` (cli/main.ts) as a child process, as a user would, and collects what it printed.
 * `opts.root`: another copy of the app to run it from (the image's file list, test/e2e/image-cli.test.ts).
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  opts: { root?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = opts.root ?? root;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(cwd, 'cli/main.ts'), ...args], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
