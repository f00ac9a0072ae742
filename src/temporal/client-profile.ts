import { existsSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';

/**
 * Temporal's standard client configuration (docs.temporal.io/develop/environment-configuration and
 * /references/client-environment-configuration), read by `@temporalio/envconfig`: a profile of the TOML file
 * (`TEMPORAL_CONFIG_FILE`, else ~/.config/temporalio/temporal.toml; `TEMPORAL_PROFILE`, else `default`), overridden by
 * the environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH
 * (or _DATA), TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA), TEMPORAL_TLS_SERVER_CA_CERT_PATH (or _DATA),
 * TEMPORAL_TLS_SERVER_NAME, TEMPORAL_GRPC_META_*. So a profile made with `temporal config set` works for Switchboard as
 * it does for the CLI.
 */

/** Switchboard's older names, kept as aliases of the standard ones. */
export const TEMPORAL_ALIASES = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

/** A problem with the Temporal client configuration, worded for one line of output. */
export class TemporalProfileError extends Error {}

/**
 * The standard variables, aliases resolved, in the form envconfig reads. `TEMPORAL_TLS` is passed as `true`/`false`:
 * Switchboard has always accepted yes/on/1 too, envconfig only `true` and `1`.
 */
function standardEnv(env: Record<string, string | undefined>, tls: boolean | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  for (const [alias, standard] of Object.entries(TEMPORAL_ALIASES)) {
    const old = out[alias];
    if (old === undefined) continue;
    if (out[standard] !== undefined && out[standard] !== old)
      throw new TemporalProfileError(`set ${standard} or its older name ${alias}, not both`);
    out[standard] = old;
    delete out[alias];
  }
  if (tls === undefined) delete out.TEMPORAL_TLS;
  else out.TEMPORAL_TLS = String(tls);
  return out;
}

/**
 * The profile from the file and the environment. A file named by TEMPORAL_CONFIG_FILE must exist (the default file
 * may be absent: then only the environment counts); a profile named by TEMPORAL_PROFILE must be in it.
 */
export function loadTemporalProfile(env: Record<string, string | undefined>, tls?: boolean): ClientConfigProfile {
  const vars = standardEnv(env, tls);
  const file = vars.TEMPORAL_CONFIG_FILE;
  if (file !== undefined && !existsSync(file))
    throw new TemporalProfileError(`TEMPORAL_CONFIG_FILE=${JSON.stringify(file)}: no such file`);
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    const where = file ? ` in ${file}` : ' in ~/.config/temporalio/temporal.toml';
    const name = vars.TEMPORAL_PROFILE;
    if (name && /not found/i.test((err as Error).message))
      throw new TemporalProfileError(`TEMPORAL_PROFILE=${JSON.stringify(name)}: no such profile${where}`);
    throw new TemporalProfileError(`the Temporal config file${where} could not be read: ${(err as Error).message}`);
  }
  const tlsSettings = profile.tls;
  const cert = tlsSettings?.clientCert;
  const key = tlsSettings?.clientKey;
  if (Boolean(cert) !== Boolean(key))
    throw new TemporalProfileError(
      cert
        ? 'TEMPORAL_TLS_CLIENT_KEY_PATH (or TEMPORAL_TLS_KEY_PATH) is required with a client certificate'
        : 'TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CERT_PATH) is required with a client key',
    );
  return profile;
}

/** TLS is on when the profile has TLS settings not disabled, or an API key (envconfig's and Temporal Cloud's rule). */
export function usesTls(profile: ClientConfigProfile): boolean {
  if (profile.tls) return profile.tls.disabled !== true;
  return profile.apiKey !== undefined;
}

const setting = z.string().min(1).optional();

/** The connection's variables, checked with the rest of the configuration (TEMPORAL_API_KEY and TEMPORAL_TLS there). */
export const TEMPORAL_CONNECTION_VARIABLES = {
  TEMPORAL_ADDRESS: setting,
  TEMPORAL_NAMESPACE: setting,
  TEMPORAL_PROFILE: setting,
  TEMPORAL_CONFIG_FILE: setting,
  TEMPORAL_TLS_CLIENT_CERT_PATH: setting,
  TEMPORAL_TLS_CLIENT_KEY_PATH: setting,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: setting,
  TEMPORAL_TLS_SERVER_NAME: setting,
  // The older names (TEMPORAL_ALIASES).
  TEMPORAL_TLS_CERT_PATH: setting,
  TEMPORAL_TLS_KEY_PATH: setting,
  TEMPORAL_TLS_CA_PATH: setting,
};

/** How a process connects to Temporal, from the profile in force. */
export interface TemporalConnection {
  /** undefined: start the embedded dev server. */
  address?: string;
  namespace: string;
  /** Temporal's standard client profile (file and TEMPORAL_* variables): TLS, API key and gRPC metadata come from it. */
  profile: ClientConfigProfile;
  tls: boolean;
  /** The certificate files, where the profile names files (not inline PEM). */
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  apiKey?: string;
}

const pathOf = (source: { path: string } | { data: unknown } | undefined) =>
  source && 'path' in source ? source.path : undefined;

/** The connection settings from the environment (and the profile file it names); TemporalProfileError if wrong. */
export function temporalConnection(env: Record<string, string | undefined>, tls?: boolean): TemporalConnection {
  const profile = loadTemporalProfile(env, tls);
  return {
    address: profile.address,
    namespace: profile.namespace ?? 'default',
    profile,
    tls: usesTls(profile),
    tlsCertPath: pathOf(profile.tls?.clientCert),
    tlsKeyPath: pathOf(profile.tls?.clientKey),
    tlsCaPath: pathOf(profile.tls?.serverCACert),
    apiKey: profile.apiKey,
  };
}
