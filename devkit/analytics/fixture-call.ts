/** One call of the analytics fixture (fixture.ts), as writeFixture puts it in `call` and `call_event`. */
export interface CallRow {
  id: string;
  /** The line (resource account) the caller dialled. */
  line: string;
  queue: string | null;
  from: string;
  name: string;
  outcome: string;
  arrived: Date;
  queued: Date | null;
  connected: Date | null;
  ended: Date;
  wait: number | null;
  agent: string | null;
  /** Timeline entries between `incoming` and `ended`: type, at, payload (as the queue verb writes them). */
  path?: [string, Date, unknown][];
}

export const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
