import type { Logger } from 'pino';
import { ConfigError, type Config } from '../../src/config.js';
import type { StackRoles } from './types.js';

/** Where the embedded demo's web process admits requests from when no allow-list is set: this machine only. */
export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

const GRAPH_SETTINGS =
  'set GRAPH_BASE_URL=https://graph.microsoft.com/v1.0 with AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and ' +
  'PUBLIC_URL (docs/azure-setup.md)';

/**
 * What a process may start with, decided before anything starts (issue 22, point 5). The Graph emulator, with its
 * unauthenticated token endpoint, runs only in the embedded demo: `switchboard up` (what `npm start` runs) asks for it
 * by bringing it as the stack's graphStandIn, and only while GRAPH_BASE_URL is unset; never with NODE_ENV=production,
 * and a web or worker process of its own (`switchboard web|worker`) never brings it. Outside the demo the web process
 * needs both allow-lists, `*` being an explicit, logged choice, and several web processes need one recording
 * signing key. Returns the configuration the stack runs with: the demo's empty allow-lists become this machine only.
 */
export function failClosed(
  config: Config,
  opts: { roles: StackRoles; emulatorOffered: boolean; logger: Logger; env?: NodeJS.ProcessEnv },
): { config: Config; emulator: boolean } {
  const env = opts.env ?? process.env;
  const emulator = !config.graph.baseUrl && opts.emulatorOffered && opts.roles.web;
  if (!config.graph.baseUrl && !emulator) {
    throw new ConfigError(
      `Invalid configuration: GRAPH_BASE_URL is required for a ${opts.roles.web ? 'web' : 'worker'} process of its ` +
        `own: ${GRAPH_SETTINGS}. The Graph emulator runs only in the embedded demo (\`switchboard up\`, \`npm start\`)`,
    );
  }
  if (emulator && env.NODE_ENV === 'production') {
    throw new ConfigError(
      `Invalid configuration: NODE_ENV=production and GRAPH_BASE_URL is unset, which would start the Graph emulator ` +
        `(the embedded demo, whose token endpoint signs anything): ${GRAPH_SETTINGS}`,
    );
  }
  if (!opts.roles.web) return { config, emulator };
  if (emulator) {
    const security = {
      ...config.security,
      adminAllowedCidrs: config.security.adminAllowedCidrs.length ? config.security.adminAllowedCidrs : LOOPBACK,
      webhookAllowedCidrs: config.security.webhookAllowedCidrs.length ? config.security.webhookAllowedCidrs : LOOPBACK,
    };
    return { config: { ...config, security }, emulator };
  }
  const lists = [
    ['WEBHOOK_ALLOWED_CIDRS', config.security.webhookAllowedCidrs, "the addresses Graph's notifications come from"],
    ['ADMIN_ALLOWED_CIDRS', config.security.adminAllowedCidrs, "the admins' and supervisors' networks"],
  ] as const;
  for (const [name, cidrs, what] of lists) {
    if (cidrs.length === 0)
      throw new ConfigError(
        `Invalid configuration: ${name} is required for the web process: ${what} (comma-separated CIDRs, or your ` +
          `proxy's; \`*\` admits every address, and is logged)`,
      );
    if (cidrs.includes('*')) opts.logger.warn({ setting: name }, `${name}=*: every address is admitted`);
  }
  if (config.recordings.webReplicas > 1 && !config.recordings.signingKey) {
    throw new ConfigError(
      `Invalid configuration: RECORDINGS_SIGNING_KEY (or RECORDINGS_SIGNING_KEY_FILE) is required with ` +
        `WEB_REPLICAS=${config.recordings.webReplicas}: a recording link signed by one web process must open on the ` +
        `others (at least 32 characters, e.g. \`openssl rand -base64 48\`)`,
    );
  }
  return { config, emulator };
}
