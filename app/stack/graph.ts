import type { Config } from '../../src/config.js';
import { ActivityFeed } from '../../src/graph/activity-feed.js';
import { CallControl } from '../../src/graph/call-control.js';
import { createGraphClient } from '../../src/graph/client.js';
import { PresenceReader } from '../../src/graph/presence.js';

/** Where Graph is when no real one is configured: the emulator, which starts after the worker. */
export interface GraphStandIn {
  graphBaseUrl: string;
  authorityMetadataUrl: string;
}

/**
 * The worker's ways to Graph, reached lazily: the emulator (if any) starts last, and a failed sign-in is tried again
 * on the next activity rather than remembered.
 */
export function lazyGraph(config: Config, standIn: () => GraphStandIn | undefined) {
  let graphClient: ReturnType<typeof createGraphClient> | undefined;
  const getGraphClient = () =>
    (graphClient ??= createGraphClient({
      graphBaseUrl: config.graph.baseUrl ?? standIn()!.graphBaseUrl,
      tenantId: config.graph.tenantId,
      clientId: config.graph.clientId,
      clientSecret: config.graph.clientSecret,
      authorityHost: config.graph.authorityHost,
      ...((config.graph.authorityMetadataUrl ?? standIn()?.authorityMetadataUrl)
        ? { authorityMetadataUrl: config.graph.authorityMetadataUrl ?? standIn()!.authorityMetadataUrl }
        : {}),
    }).catch((err: unknown) => {
      graphClient = undefined; // try again on the next activity
      throw err;
    }));
  return {
    callControl: () => getGraphClient().then((c) => new CallControl(c)),
    presence: () => getGraphClient().then((c) => new PresenceReader(c)),
    activityFeed: () => getGraphClient().then((c) => new ActivityFeed(c)),
  };
}
