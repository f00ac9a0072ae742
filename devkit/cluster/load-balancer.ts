/**
 * The load balancer in front of the cluster's web processes, as a Kubernetes Service or a cloud load balancer would
 * stand in front of their replicas: Graph's notifications (the emulator's POSTs to PUBLIC_URL/api/calling) and every
 * other request go to the next web process in turn. A process that refuses the connection (dead, or restarting) is
 * skipped for the next one, as a balancer's passive health check does; a request cut off after it reached a process
 * gets a 502, and Graph redelivers the notification (the emulator does too).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  /** The web processes' base URLs, replaceable (a restarted process may come back on another port). */
  backends: string[];
  /** Requests each backend answered, by its URL. */
  served: Map<string, number>;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

function forward(
  backend: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    const out = http.request(
      new URL(req.url ?? '/', backend),
      { method: req.method, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** Round robin over `backends` on a free loopback port. */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  let next = 0;
  const served = new Map<string, number>();
  const lb = { backends, served } as LoadBalancer;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const order = lb.backends.map((_, i) => lb.backends[(next + i) % lb.backends.length]!);
        next = (next + 1) % Math.max(1, lb.backends.length);
        for (const backend of order) {
          try {
            const answer = await forward(backend, req, body);
            served.set(backend, (served.get(backend) ?? 0) + 1);
            const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
            res.writeHead(answer.status, headers).end(answer.body);
            return;
          } catch (err) {
            // Refused: nothing reached the process, so the next one may take it. Anything else may have been handled.
            if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') continue;
            res.writeHead(502, { 'content-type': 'text/plain' }).end(`load balancer: ${backend}: ${String(err)}`);
            return;
          }
        }
        res.writeHead(503, { 'content-type': 'text/plain' }).end('load balancer: no web process accepted the request');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lb.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lb.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return lb;
}
