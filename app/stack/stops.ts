import type { Logger } from 'pino';

/** What a started stack must stop, in reverse order of starting. */
export type Stops = (() => Promise<void>)[];

export function stopAllOf(stops: Stops, logger: Logger): () => Promise<void> {
  return async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
    }
    stops.length = 0;
  };
}
