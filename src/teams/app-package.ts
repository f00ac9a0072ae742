/**
 * The Teams app package an admin uploads (Teams admin center → Manage apps → Upload): teams/manifest.json with this
 * deployment's host and Entra app id filled in, and the two icons rendered from their SVG sources in teams/icons/.
 */
import { readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import yazl from 'yazl';

export class TeamsPackageError extends Error {}

export interface TeamsPackageInput {
  /** Where Teams loads the tabs from: Switchboard's PUBLIC_URL. Teams frames only https pages. */
  publicUrl: string;
  /** The Entra ID app registration (AZURE_CLIENT_ID): the calling bot and the tabs' single sign-on are one app. */
  clientId: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The manifest for one deployment: every example host and id in teams/manifest.json replaced by the real ones. */
export function manifestFor(template: Record<string, unknown>, input: TeamsPackageInput): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(input.publicUrl);
  } catch {
    throw new TeamsPackageError(`PUBLIC_URL is not a URL: set it to the https address Teams reaches Switchboard at`);
  }
  if (url.protocol !== 'https:')
    throw new TeamsPackageError(
      `PUBLIC_URL is ${url.protocol.replace(':', '')}: Teams loads tabs over https only; set PUBLIC_URL=https://<your host>`,
    );
  if (!GUID.test(input.clientId))
    throw new TeamsPackageError(
      "AZURE_CLIENT_ID is not a GUID: set it to the app registration's Application (client) ID",
    );
  const base = `${url.origin}${url.pathname.replace(/\/$/, '')}`;
  const tabs = (template['staticTabs'] as { contentUrl: string; websiteUrl?: string }[]).map((tab) => ({
    ...tab,
    contentUrl: rebase(tab.contentUrl, base),
    ...(tab.websiteUrl ? { websiteUrl: rebase(tab.websiteUrl, base) } : {}),
  }));
  const bots = (template['bots'] as Record<string, unknown>[]).map((bot) => ({ ...bot, botId: input.clientId }));
  return {
    ...template,
    id: input.clientId,
    staticTabs: tabs,
    bots,
    validDomains: [url.host],
    // An app with a bot and tabs names both in the SSO resource (msteams-docs bots/how-to/authentication/bot-sso-manifest.md).
    webApplicationInfo: { id: input.clientId, resource: `api://${url.host}/botid-${input.clientId}` },
  };
}

function rebase(exampleUrl: string, base: string): string {
  const u = new URL(exampleUrl);
  return `${base}${u.pathname}${u.search}`;
}

/** A PNG of an SVG icon, at the size its SVG declares (192×192 colour, 32×32 outline). */
export function renderIcon(svg: string): Buffer {
  return new Resvg(svg).render().asPng();
}

/** Writes the zip: manifest.json, color.png and outline.png at its root, as Teams expects. */
export async function writeTeamsPackage(teamsDir: URL, input: TeamsPackageInput, outFile: string): Promise<void> {
  const template = JSON.parse(await readFile(new URL('manifest.json', teamsDir), 'utf8')) as Record<string, unknown>;
  const manifest = manifestFor(template, input);
  const icons = manifest['icons'] as { color: string; outline: string };
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
  for (const [kind, file] of Object.entries(icons)) {
    const svg = await readFile(new URL(`icons/${kind}.svg`, teamsDir), 'utf8');
    zip.addBuffer(renderIcon(svg), file);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(outFile);
    out.on('error', reject);
    out.on('close', resolve);
    zip.outputStream.on('error', reject).pipe(out);
  });
}
