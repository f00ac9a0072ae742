/**
 * The tabs' scripts and styles, built once when the web process starts: teams/tabs/*.ts bundled by esbuild into
 * static files kept in memory (no build step to forget, and nothing on disk to go stale). Fluent UI's web components
 * come from node_modules into the bundle (no CDN: the CSP allows scripts from this origin only); code splitting puts
 * what the pages share (Fluent, teams-js) in chunks fetched once, whichever tab opens first.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface Asset {
  type: string;
  body: Buffer;
  /** The same bytes gzipped once at start, for browsers that accept it (all that Teams runs in). */
  gzip: Buffer;
  /** A chunk named by its content's hash: it never changes under its name, so browsers may keep it. */
  immutable: boolean;
}

function asset(name: string, type: string, body: Buffer): Asset {
  return { type, body, gzip: gzipSync(body, { level: 9 }), immutable: name.startsWith('chunk-') };
}

const source = new URL('../../teams/tabs/', import.meta.url);
export const TAB_SCRIPTS = ['agent', 'supervisor', 'sign-in'] as const;

export async function buildTabAssets(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: TAB_SCRIPTS.map((name) => fileURLToPath(new URL(`${name}.ts`, source))),
    bundle: true,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: '/tabs',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = file.path.split('/').pop()!;
    assets.set(name, asset(name, 'text/javascript; charset=utf-8', Buffer.from(file.contents)));
  }
  assets.set('tabs.css', asset('tabs.css', 'text/css; charset=utf-8', await readFile(new URL('tabs.css', source))));
  return assets;
}
