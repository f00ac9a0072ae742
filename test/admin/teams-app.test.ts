import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { PNG } from 'pngjs';
import yauzl from 'yauzl';
import { manifestFor } from '../../src/teams/app-package.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const manifestFile = path.join(root, 'teams/manifest.json');

/** Microsoft's JSON schema for the manifest's own version, as shipped in @microsoft/app-manifest (no network). */
async function schemaFor(manifest: {
  manifestVersion: string;
}): Promise<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]> {
  const file = path.join(
    root,
    `node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
  );
  return JSON.parse(await readFile(file, 'utf8')) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];
}

async function validate(manifest: Record<string, unknown>): Promise<string[]> {
  return AppManifestUtils.validateAgainstSchema(
    manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0],
    await schemaFor(manifest as { manifestVersion: string }),
  );
}

function unzip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('the Teams app manifest (issue 23, point 1)', () => {
  it('teams/manifest.json is valid against Microsoft’s schema for its version, the current one (1.30)', async () => {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    expect(manifest['manifestVersion']).toBe('1.30');
    expect(await validate(manifest)).toEqual([]);
    // The validator does refuse what the schema forbids: an id that is not a GUID, a tab without its entity id.
    const broken = { ...manifest, id: 'not-a-guid', staticTabs: [{ name: 'x', scopes: ['personal'] }] };
    expect((await validate(broken)).join('\n')).toMatch(/\/id .*pattern[\s\S]*entityId/);
  });

  it('declares the agent’s personal tab and the supervisor’s tab, single sign-on and the calling bot', async () => {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      staticTabs: { entityId: string; contentUrl: string; scopes: string[] }[];
      webApplicationInfo: { id: string; resource: string };
      bots: { supportsCalling: boolean }[];
      validDomains: string[];
    };
    expect(manifest.staticTabs.map((t) => [t.entityId, new URL(t.contentUrl).pathname, t.scopes])).toEqual([
      ['agent', '/tabs/agent', ['personal']],
      ['supervisor', '/tabs/supervisor', ['personal']],
    ]);
    expect(manifest.bots[0]?.supportsCalling).toBe(true);
    expect(manifest.validDomains).toEqual(['switchboard.example.com']);
    expect(manifest.webApplicationInfo.resource).toBe(
      `api://switchboard.example.com/botid-${manifest.webApplicationInfo.id}`,
    );
  });

  it('a deployment’s manifest refuses an http PUBLIC_URL and a client id that is not a GUID', async () => {
    const template = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    const clientId = '2b7c1f5e-7c55-4d7a-9f1e-3a1d5c0b9e42';
    expect(() => manifestFor(template, { publicUrl: 'http://cc.contoso.com', clientId })).toThrow(/https only/);
    expect(() => manifestFor(template, { publicUrl: 'cc.contoso.com', clientId })).toThrow(/not a URL/);
    expect(() => manifestFor(template, { publicUrl: 'https://cc.contoso.com', clientId: 'switchboard' })).toThrow(
      /AZURE_CLIENT_ID is not a GUID/,
    );
  });
});

describe('switchboard teams package (issue 23, point 1)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'teams-package-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the zip an admin uploads: this deployment’s manifest, valid, and icons of Teams’ sizes', async () => {
    const out = path.join(dir, 'switchboard.zip');
    const clientId = '2b7c1f5e-7c55-4d7a-9f1e-3a1d5c0b9e42';
    const r = await cli(['teams', 'package', '--out', out], {
      PUBLIC_URL: 'https://cc.contoso.com/switchboard/',
      AZURE_CLIENT_ID: clientId,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(out);

    const files = await unzip(out);
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Record<string, unknown> & {
      staticTabs: { contentUrl: string }[];
    };
    expect(await validate(manifest)).toEqual([]);
    expect(manifest['id']).toBe(clientId);
    expect(manifest['validDomains']).toEqual(['cc.contoso.com']);
    expect(manifest['webApplicationInfo']).toEqual({
      id: clientId,
      resource: `api://cc.contoso.com/botid-${clientId}`,
    });
    expect(manifest.staticTabs.map((t) => t.contentUrl)).toEqual([
      'https://cc.contoso.com/switchboard/tabs/agent',
      'https://cc.contoso.com/switchboard/tabs/supervisor',
    ]);

    // Teams' icon rules (msteams-docs concepts/build-and-test/apps-package.md): colour 192×192; outline 32×32, white
    // on a transparent background.
    const color = PNG.sync.read(files.get('color.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.data[3]).toBe(255); // a full-colour background, opaque in the corner
    const outline = PNG.sync.read(files.get('outline.png')!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [red, green, blue, alpha] = [
        outline.data[i],
        outline.data[i + 1],
        outline.data[i + 2],
        outline.data[i + 3],
      ];
      if (alpha === 0) transparent++;
      else {
        drawn++;
        expect([red, green, blue]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
    expect(drawn).toBeGreaterThan(50);
  });

  it('refuses an http PUBLIC_URL with exit code 2 and says what to set, writing nothing', async () => {
    const out = path.join(dir, 'refused.zip');
    const r = await cli(['teams', 'package', '--out', out], { PUBLIC_URL: 'http://127.0.0.1:3000' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Teams loads tabs over https only; set PUBLIC_URL=https:/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('an unknown sub-command or argument is a usage error (exit 2)', async () => {
    expect((await cli(['teams', 'publish'], {})).code).toBe(2);
    const r = await cli(['teams', 'package', '--zip'], { PUBLIC_URL: 'https://cc.contoso.com' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown argument '--zip'/);
  });
});
