import type { Server } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import { ipAllowList } from './ip-allowlist.js';
import { metricsText, registry } from '../metrics.js';

/**
 * /metrics of a worker-only process. Calls by outcome, Graph errors and the answer and offer latencies are observed
 * where the activities run, i.e. in the worker; a process that runs the web too (`switchboard up`) serves them on its
 * own /metrics instead. A port already taken (two workers on one host with the same setting) is logged, not fatal:
 * a worker without metrics still routes calls.
 */
export async function startWorkerMetricsServer(opts: {
  host: string;
  port: number;
  allowedCidrs: string[];
  logger: Logger;
  temporalMetricsUrl?: string;
}): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', ipAllowList(opts.allowedCidrs, 'metrics', opts.logger), async (_req, res) => {
    res.type(registry.contentType).send(await metricsText(opts.temporalMetricsUrl));
  });
  // Liveness for docker-compose's healthcheck: the process is up and serving (Temporal's own health is its worker's).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NotFound', message: 'no such route' } });
  });
  try {
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(opts.port, opts.host, (err?: Error) => (err ? reject(err) : resolve(s)));
      s.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    return {
      url: `http://${opts.host}:${port}/metrics`,
      stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  } catch (err) {
    opts.logger.warn({ err, port: opts.port }, 'worker metrics not served: could not listen (set WORKER_METRICS_PORT)');
    return undefined;
  }
}
