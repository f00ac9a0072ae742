import { parseArgs } from 'node:util';
import { formatForPeople } from './admin-format.js';
import { ADMIN_USAGE, adminUsage } from './admin-usage.js';
import { queueSettingsRequest } from './admin-queue-settings.js';

/**
 * `switchboard admin …`: the admin API from the command line. It calls the same HTTP API as any other client, with
 * the same token, validation and audit, so the CLI can never do what the API would refuse.
 * SWITCHBOARD_API_URL (default http://127.0.0.1:3978) and SWITCHBOARD_ADMIN_TOKEN (an Entra ID access token for the
 * Switchboard API, e.g. `az account get-access-token --resource api://<client id>`).
 */
export { ADMIN_USAGE } from './admin-usage.js';

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
        role: { type: 'string', multiple: true },
        oid: { type: 'string' },
        agent: { type: 'string' },
        blind: { type: 'boolean' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    out.stderr(`${(err as Error).message}\n${ADMIN_USAGE}\n`);
    return 2;
  }
  const {
    values: v,
    positionals: [command, ...args],
  } = parsed;
  if (v.help) {
    out.stdout(`${adminUsage(command)}\n`);
    return 0;
  }
  const token = v.token ?? env.SWITCHBOARD_ADMIN_TOKEN;
  const base = (env.SWITCHBOARD_API_URL ?? 'http://127.0.0.1:3978').replace(/\/$/, '');
  const query = (keys: (keyof typeof v)[]) => {
    const q = new URLSearchParams();
    for (const k of keys) if (typeof v[k] === 'string') q.set(k, v[k] as string);
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  if (command === 'token') return emulatorToken(v, env, out);

  let request: { method: string; path: string; body?: unknown } | undefined;
  const seg = encodeURIComponent;
  switch (command) {
    case 'queues':
      request = { method: 'GET', path: `/queues${query(['limit', 'cursor'])}` };
      break;
    case 'queue':
      if ((args[0] === 'opt-in' || args[0] === 'opt-out') && args[1] && args[2])
        request = {
          method: args[0] === 'opt-in' ? 'PUT' : 'DELETE',
          path: `/queues/${seg(args[1])}/members/${seg(args[2])}`,
        };
      else if (args[0] === 'settings' && args[1]) {
        const settings = queueSettingsRequest(args[1], args.slice(2));
        if ('error' in settings) {
          out.stderr(`${settings.error}\n`);
          return 2;
        }
        request = settings.request;
      }
      break;
    case 'schedules':
      request = { method: 'GET', path: `/schedules${query(['limit', 'cursor'])}` };
      break;
    case 'schedule':
      if (args[0]) request = { method: 'GET', path: `/schedules/${seg(args[0])}` };
      break;
    case 'holiday':
      if (args[0] === 'add' && args[1] && args[2] && args[3])
        request = {
          method: 'PUT',
          path: `/schedules/${seg(args[1])}/exceptions/${seg(args[2])}`,
          body: { kind: 'holiday', name: args.slice(3).join(' ') },
        };
      break;
    case 'special-hours':
      if (args[0] === 'add' && args[1] && args[2] && args[3] && args[4]) {
        const hours = args[3] === 'closed' ? [] : args[3].split(',').map((iv) => iv.split('-'));
        request = {
          method: 'PUT',
          path: `/schedules/${seg(args[1])}/exceptions/${seg(args[2])}`,
          body: { kind: 'specialHours', name: args.slice(4).join(' '), hours },
        };
      }
      break;
    case 'schedule-exception':
      if (args[0] === 'remove' && args[1] && args[2])
        request = { method: 'DELETE', path: `/schedules/${seg(args[1])}/exceptions/${seg(args[2])}` };
      break;
    case 'voicemail-boxes':
      request = { method: 'GET', path: `/voicemail-boxes${query(['limit', 'cursor'])}` };
      break;
    case 'voicemails':
      if (args[0])
        request = { method: 'GET', path: `/voicemail-boxes/${seg(args[0])}/messages${query(['limit', 'cursor'])}` };
      break;
    case 'calls':
      request = {
        method: 'GET',
        path: `/calls${query(['caller', 'queue', 'outcome', 'since', 'until', 'limit', 'cursor'])}`,
      };
      break;
    case 'call':
      if (args[0]) request = { method: 'GET', path: `/calls/${encodeURIComponent(args[0])}` };
      break;
    case 'agent': {
      const states = { available: 'available', away: 'away', 'sign-out': 'signedOut' } as const;
      if (args[0] && Object.hasOwn(states, args[0]) && args[1])
        request = {
          method: 'PUT',
          path: `/agents/${seg(args[1])}/availability`,
          body: { state: states[args[0] as keyof typeof states] },
        };
      break;
    }
    case 'agent-state':
      if (args[0]) request = { method: 'GET', path: `/agents/${encodeURIComponent(args[0])}/state` };
      break;
    case 'supervise':
      // Issue 24, point 3: barge into or monitor a call put through by conference (the API audits it).
      if ((args[0] === 'barge' || args[0] === 'monitor') && args[1])
        request = {
          method: 'POST',
          path: `/calls/${seg(args[1])}/supervise`,
          body: { mode: args[0], ...(v.oid ? { supervisorId: v.oid } : {}) },
        };
      break;
    case 'transfer':
      // Issue 24, point 4: send the caller to another queue or a colleague (a call put through by conference).
      if (args[0] && (v.queue === undefined) !== (v.agent === undefined))
        request = {
          method: 'POST',
          path: `/calls/${seg(args[0])}/transfer`,
          body: { ...(v.queue ? { queue: v.queue } : { agentId: v.agent }), ...(v.blind ? { blind: true } : {}) },
        };
      break;
    case 'wrap-up-codes':
      request = { method: 'GET', path: '/wrap-up-codes' };
      break;
    case 'wrap-up-code':
      if (args[0] === 'set' && args[1] && args[2])
        request = {
          method: 'PUT',
          path: `/wrap-up-codes/${encodeURIComponent(args[1])}`,
          body: { label: args.slice(2).join(' '), active: !v.inactive },
        };
      else if (args[0] === 'delete' && args[1])
        request = { method: 'DELETE', path: `/wrap-up-codes/${encodeURIComponent(args[1])}` };
      break;
    case 'audit':
      request = { method: 'GET', path: `/audit${query(['action', 'limit', 'cursor'])}` };
      break;
    case 'whoami':
      request = { method: 'GET', path: '/me' };
      break;
  }
  if (!request) {
    out.stderr(
      `${command ? `unknown or incomplete admin command '${[command, ...args].join(' ')}'` : 'missing admin command'}\n${ADMIN_USAGE}\n`,
    );
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
    out.stderr(
      `cannot reach ${base}: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}\n`,
    );
    return 1;
  }
  const text = await res.text();
  return printResponse(res, text, out, v.json ? undefined : command);
}

/** The API's answer: its error on stderr (exit 1), or its body, for a person when `humanFor` names the command. */
function printResponse(res: Response, text: string, out: Out, humanFor?: string): number {
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
  out.stdout(humanFor ? formatForPeople(humanFor, JSON.parse(text)) : `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}

/** `admin token`: a user token with Switchboard app roles from the Graph emulator (demo and tests only). */
async function emulatorToken(
  v: { role?: string[] | undefined; oid?: string | undefined; name?: string | undefined },
  env: NodeJS.ProcessEnv,
  out: Out,
): Promise<number> {
  const roles = (v.role ?? []).map((r) => (r.startsWith('Switchboard.') ? r : `Switchboard.${r}`));
  if (roles.length === 0) {
    out.stderr(`admin token needs --role Admin|Supervisor|Agent (repeatable)\n${ADMIN_USAGE}\n`);
    return 2;
  }
  const emulator = (env.EMULATOR_URL || 'http://127.0.0.1:4000').replace(/\/$/, '');
  let res: Response;
  try {
    res = await fetch(`${emulator}/emulator/user-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roles, ...(v.oid ? { oid: v.oid } : {}), ...(v.name ? { name: v.name } : {}) }),
    });
  } catch (err) {
    out.stderr(
      `cannot reach the Graph emulator at ${emulator}: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}\n`,
    );
    return 1;
  }
  const text = await res.text();
  if (!res.ok) return printResponse(res, text, out);
  const body = JSON.parse(text) as { access_token: string };
  out.stdout(`${body.access_token}\n`);
  return 0;
}
