/**
 * Progress of a long command (seed, privacy export and erase, the bench) on stderr, so stdout keeps only the result
 * for scripts. On a terminal one line is rewritten in place with a bar, as the bench does; when stderr is a file or a
 * pipe (CI logs, `2> log`) there is no cursor to rewind, so it prints plain lines instead, one per tenth of each step,
 * which a log can hold.
 */

/** `[#####.....] done/all`, 30 wide. */
export const bar = (done: number, all: number): string => {
  const width = 30;
  const filled = Math.min(width, Math.round((done / Math.max(1, all)) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${all}`;
};

export interface Progress {
  /** `done` of `all` items of a step (`what`: 'recordings copied', 'calls seeded'). */
  step(what: string, done: number, all: number): void;
  /** A phase without a count ('rebuilding the metric rollups'). */
  note(what: string): void;
  /** Clears the in-place line, before the result is printed. */
  end(): void;
}

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };

export function commandProgress(stream: Stream = process.stderr): Progress {
  if (stream.isTTY) {
    let shown = false;
    return {
      step: (what, done, all) => {
        if (all === 0) return;
        shown = true;
        stream.write(`\r\x1b[K${what} ${bar(done, all)}`);
      },
      note: (what) => {
        shown = true;
        stream.write(`\r\x1b[K${what}…`);
      },
      end: () => {
        if (shown) stream.write('\r\x1b[K');
        shown = false;
      },
    };
  }
  // Plain lines: the first item, each further tenth, and the last; never the same line twice.
  const lastTenth = new Map<string, number>();
  return {
    step: (what, done, all) => {
      if (all === 0) return;
      const tenth = Math.floor((done / all) * 10);
      const previous = lastTenth.get(what);
      if (previous !== undefined && tenth === previous) return;
      if (previous === undefined && done === 0) return;
      lastTenth.set(what, tenth);
      stream.write(`${what}: ${done}/${all}\n`);
    },
    note: (what) => void stream.write(`${what}…\n`),
    end: () => undefined,
  };
}
