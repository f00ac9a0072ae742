import { parseArgs } from 'node:util';

/**
 * `switchboard admin …`: the admin API from the command line. It calls the same HTTP API as any other client, with
 * the same token, validation and audit, so the CLI can never do what the API would refuse.
 * SWITCHBOARD_API_URL (default http://127.0.0.1:3978) and SWITCHBOARD_ADMIN_TOKEN (an Entra ID access token for the
 * Switchboard API, e.g. `az account get-access-token --resource api://<client id>`).
 */
export const ADMIN_USAGE = `usage: switchboard admin <command>

  calls [--caller X] [--queue Q] [--outcome O] [--since ISO] [--until ISO] [--limit N] [--cursor C]
  call <call id>                      a call's record and timeline
  agent-state <agent id>
  wrap-up-codes                       list
  wrap-up-code set <code> <label> [--inactive]
  wrap-up-code delete <code>
  audit [--action A] [--limit N] [--cursor C]
  whoami

env: SWITCHBOARD_API_URL, SWITCHBOARD_ADMIN_TOKEN (or --token)`;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export async function admin(argv: string[], env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        token: { type: 'string' },
        caller: { type: 'string' },
        queue: { type: 'string' },
        outcome: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        action: { type: 'string' },
        inactive: { type: 'boolean' },
      },
    });
  } catch (err) {
    out.stderr(`${(err as Error).message}\n${ADMIN_USAGE}\n`);
    return 2;
  }
  const { values: v, positionals: [command, ...args] } = parsed;
  const token = v.token ?? env.SWITCHBOARD_ADMIN_TOKEN;
  const base = (env.SWITCHBOARD_API_URL ?? 'http://127.0.0.1:3978').replace(/\/$/, '');
  const query = (keys: (keyof typeof v)[]) => {
    const q = new URLSearchParams();
    for (const k of keys) if (typeof v[k] === 'string') q.set(k, v[k] as string);
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  let request: { method: string; path: string; body?: unknown } | undefined;
  switch (command) {
    case 'calls':
      request = { method: 'GET', path: `/calls${query(['caller', 'queue', 'outcome', 'since', 'until', 'limit', 'cursor'])}` };
      break;
    case 'call':
      if (args[0]) request = { method: 'GET', path: `/calls/${encodeURIComponent(args[0])}` };
      break;
    case 'agent-state':
      if (args[0]) request = { method: 'GET', path: `/agents/${encodeURIComponent(args[0])}/state` };
      break;
    case 'wrap-up-codes':
      request = { method: 'GET', path: '/wrap-up-codes' };
      break;
    case 'wrap-up-code':
      if (args[0] === 'set' && args[1] && args[2])
        request = { method: 'PUT', path: `/wrap-up-codes/${encodeURIComponent(args[1])}`, body: { label: args.slice(2).join(' '), active: !v.inactive } };
      else if (args[0] === 'delete' && args[1]) request = { method: 'DELETE', path: `/wrap-up-codes/${encodeURIComponent(args[1])}` };
      break;
    case 'audit':
      request = { method: 'GET', path: `/audit${query(['action', 'limit', 'cursor'])}` };
      break;
    case 'whoami':
      request = { method: 'GET', path: '/me' };
      break;
  }
  if (!request) {
    out.stderr(`${command ? `unknown or incomplete admin command '${[command, ...args].join(' ')}'` : 'missing admin command'}\n${ADMIN_USAGE}\n`);
    return 2;
  }
  if (!token) {
    out.stderr('no token: set SWITCHBOARD_ADMIN_TOKEN or pass --token\n');
    return 2;
  }

  let res: Response;
  try {
    res = await fetch(`${base}/api/admin${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${token}`, ...(request.body ? { 'content-type': 'application/json' } : {}) },
      ...(request.body ? { body: JSON.stringify(request.body) } : {}),
    });
  } catch (err) {
    out.stderr(`cannot reach ${base}: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}\n`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const e = JSON.parse(text) as { error?: { message?: string } };
      message = e.error?.message ?? text;
    } catch {
      // not JSON: show it as it is
    }
    out.stderr(`${res.status}: ${message}\n`);
    return 1;
  }
  out.stdout(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}
