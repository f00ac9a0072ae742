/** The bench's progress line on stderr, rewritten in place while it runs; its bar is the CLI's (src/infra/progress.ts). */
export { bar } from '../../src/infra/progress.js';

export const progress = (msg: string): void => {
  process.stderr.write(`\r\x1b[K${msg}`);
};
