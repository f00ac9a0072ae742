/** The bench's progress line on stderr, rewritten in place while it runs. */

export const progress = (msg: string): void => {
  process.stderr.write(`\r\x1b[K${msg}`);
};

/** `[#####.....] done/all`, 30 wide. */
export const bar = (done: number, all: number): string => {
  const width = 30;
  const filled = Math.round((done / Math.max(1, all)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${all}`;
};
