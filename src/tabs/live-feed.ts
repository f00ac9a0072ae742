/**
 * One LISTEN on Postgres for the whole web process (channel switchboard_live, see the live_notify migration): when
 * the live tables change it reads the floor once and hands it to every open tab, so 200 open tabs cost one query per
 * change, not 200.
 */
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { readFloor, type FloorSnapshot } from './floor.js';

type Listener = (floor: FloorSnapshot) => void;

export class LiveFeed {
  private client: pg.Client | undefined;
  private readonly listeners = new Set<Listener>();
  private latest: FloorSnapshot | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.listen();
    await this.changed();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.orm.config.getClientUrl() });
    client.on('notification', () => void this.changed());
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
          this.latest = await readFloor(this.orm.em.fork());
          for (const listener of this.listeners) listener(this.latest);
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'live feed: reading the floor failed');
        }
      } while (this.again && !this.stopped);
      this.reading = undefined;
    })();
    return this.reading;
  }

  /** The floor now, then every change; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    await this.client?.end().catch(() => undefined);
  }
}
