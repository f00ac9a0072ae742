/**
 * One LISTEN on Postgres for the whole web process (channel switchboard_live, see the live_notify migration): when
 * the live tables change it reads the floor once and hands it to every open tab, so 200 open tabs cost one query per
 * change, not 200. With no tab open it reads nothing: the floor is marked stale and read when the next tab opens. Under
 * load the live tables change with every call's step, so reads are spaced READ_SPACING_MS apart (changes meanwhile
 * are folded into the next read): reading the floor after every change of 300 calls in progress, with no tab open,
 * was 13% of the bench's web and worker process's main thread (issue 25, docs/benchmarks.md).
 */
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { readFloor, serviceLevelsToday, type FloorSnapshot } from './floor.js';

/** How stale a queue's service level today may be: it moves slowly, and its query is the floor's dearest. */
const SERVICE_LEVEL_MAX_AGE_MS = 30_000;
/** Least time between two reads of the floor while changes keep coming: a person's view, not a replica. */
const READ_SPACING_MS = 250;

type Listener = (floor: FloorSnapshot) => void;

export class LiveFeed {
  private client: pg.Client | undefined;
  private readonly listeners = new Set<Listener>();
  private latest: FloorSnapshot | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private serviceLevels: { at: number; byQueue: Record<string, number | null> } | undefined;
  private serviceLevelTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.listen();
    await this.changed();
    // Service levels change with time as well as with writes (a call queued now counts once it is answered or not).
    this.serviceLevelTimer = setInterval(() => {
      this.serviceLevels = undefined;
      if (this.listeners.size > 0) void this.changed();
    }, SERVICE_LEVEL_MAX_AGE_MS);
    this.serviceLevelTimer.unref();
  }

  private async serviceLevelsToday(): Promise<Record<string, number | null>> {
    if (this.serviceLevels && Date.now() - this.serviceLevels.at < SERVICE_LEVEL_MAX_AGE_MS)
      return this.serviceLevels.byQueue;
    try {
      this.serviceLevels = { at: Date.now(), byQueue: await serviceLevelsToday(this.orm.em.fork()) };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'live feed: reading service levels failed');
      this.serviceLevels = { at: Date.now(), byQueue: {} };
    }
    return this.serviceLevels.byQueue;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.orm.config.getClientUrl() });
    client.on('notification', () => void this.changedIfWatched());
    client.on('error', (err) => {
      // A lost connection loses notifications: reconnect, and read once in case something changed meanwhile.
      this.logger.warn({ err: err.message }, 'live feed: Postgres connection lost, reconnecting');
      this.client = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.reconnect(), 1000).unref();
    });
    await client.connect();
    await client.query('LISTEN switchboard_live');
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    if (this.stopped || this.client) return;
    try {
      await this.listen();
      await this.changed();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'live feed: reconnect failed, retrying');
      setTimeout(() => void this.reconnect(), 2000).unref();
    }
  }

  /** A change with no tab open only makes what we have stale: the next tab to open has the floor read for it. */
  private changedIfWatched(): Promise<void> | undefined {
    // A read running now may have missed this change: one more read after it, as with a tab open.
    if (this.listeners.size > 0 || this.reading) return this.changed();
    this.latest = undefined;
    return undefined;
  }

  /** Reads the floor after a change; changes that land while a read runs are folded into one more read. */
  private changed(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        try {
          const floor = await readFloor(this.orm.em.fork());
          const levels = await this.serviceLevelsToday();
          for (const q of floor.queues) q.serviceLevelToday = levels[q.queue] ?? null;
          this.latest = floor;
          for (const listener of this.listeners) listener(this.latest);
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'live feed: reading the floor failed');
        }
        if (this.again && !this.stopped) await new Promise((r) => setTimeout(r, READ_SPACING_MS));
      } while (this.again && !this.stopped);
      this.reading = undefined;
    })();
    return this.reading;
  }

  /** The floor now, then every change; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    else void this.changed(); // stale or never read: read it now, for this tab and any other
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.serviceLevelTimer);
    this.listeners.clear();
    await this.client?.end().catch(() => undefined);
  }
}
