/**
 * The Switchboard app's tabs in Teams (teams/manifest.json): the agent's "My calls" and the supervisor's "Floor".
 * Pages and scripts are static; their data comes from the admin API (same token, roles and audit) and, live, from
 * GET /tabs/api/live, a server-sent event stream of the floor as the viewer may see it.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { AdminAuth } from '../admin/identity.js';
import { buildTabAssets } from './assets.js';
import { floorFor, type FloorDirectory } from './floor.js';
import type { FloorView } from '../contracts/floor-view.js';
import type { LiveFeed } from './live-feed.js';
import { tabPage, TAB_PAGES, type TabPage } from './pages.js';

/** The embedded demo's sign-in: a chosen demo user's token, minted by the Graph emulator. Absent in production. */
export interface DemoSignIn {
  users: { id: string; name: string; role: 'Switchboard.Agent' | 'Switchboard.Supervisor' }[];
  mintToken(user: { id: string; name: string; role: string }): Promise<string>;
}

export interface TabsOptions {
  auth: AdminAuth;
  feed: LiveFeed;
  directory: FloorDirectory;
  logger: Logger;
  demo?: DemoSignIn;
  /** Where a call's links lead: the Temporal UI's workflow page and Grafana's Call explorer. */
  links?: { temporalWorkflows?: string; grafana?: string };
  /** Sent to keep a quiet stream open through proxies. */
  heartbeatMs?: number;
}

/**
 * Teams shows tabs in a frame: the pages allow Teams' origins as frame ancestors (msteams-docs
 * tabs/how-to/tab-requirements.md) and nothing else; scripts and styles come from this origin only.
 */
const TAB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  'frame-ancestors teams.microsoft.com *.teams.microsoft.com *.skype.com teams.cloud.microsoft *.office.com',
].join('; ');

function tabHeaders(res: Response): void {
  res.removeHeader('X-Frame-Options');
  res.setHeader('Content-Security-Policy', TAB_CSP);
  res.setHeader('Cache-Control', 'no-store');
}

export async function tabsRouter(opts: TabsOptions): Promise<Router> {
  const assets = await buildTabAssets();
  const router = express.Router();

  for (const page of TAB_PAGES) {
    if (page === 'sign-in' && !opts.demo) continue;
    router.get(`/${page}`, (_req, res) => {
      tabHeaders(res);
      res.type('html').send(tabPage(page as TabPage));
    });
  }

  // Fluent UI makes the shared chunk the bulk of a tab (about 225 KB, 61 KB gzipped): it goes gzipped, and, named
  // by its hash, is kept by the browser instead of fetched on every open of the tab.
  router.get('/assets/:file', (req, res) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) return void res.status(404).json({ error: { code: 'NotFound', message: 'no such asset' } });
    tabHeaders(res);
    if (asset.immutable) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Vary', 'Accept-Encoding');
    res.type(asset.type);
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      return void res.send(asset.gzip);
    }
    res.send(asset.body);
  });

  router.get('/api/live', opts.auth.authenticate(), (req: Request, res: Response) => {
    const caller = req.caller!;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    let seq = Number(req.header('last-event-id') ?? 0) || 0;
    const unsubscribe = opts.feed.subscribe((floor) => {
      seq++;
      const view: FloorView = { ...floorFor(caller, floor, opts.directory), links: opts.links ?? {} };
      res.write(`id: ${seq}\nevent: floor\ndata: ${JSON.stringify(view)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': still here\n\n'), opts.heartbeatMs ?? 15_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  if (opts.demo) {
    const demo = opts.demo;
    router.get('/api/demo-users', (_req, res) => {
      res.json({ users: demo.users });
    });
    router.post('/api/demo-token', express.json({ limit: '2kb' }), async (req, res) => {
      const id = (req.body as { id?: unknown } | undefined)?.id;
      const user = demo.users.find((u) => u.id === id);
      if (!user) return void res.status(400).json({ error: { code: 'BadRequest', message: 'no such demo user' } });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ token: await demo.mintToken(user) });
    });
  }
  return router;
}
