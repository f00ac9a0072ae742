import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatCheck, formatList } from '../src/flows-check/report.js';

/**
 * `switchboard flows validate|list`: the call flows in flows/ checked before they go live, and listed. Needs no
 * configuration (it reads files only), but the `typescript` package: it is a dev dependency, so run it where the
 * flows are developed and in CI, not in the production image.
 */
export const FLOWS_USAGE = `usage: switchboard flows validate|list [--root dir]

  validate   type-check flows/ and check every prompt, queue, voicemail box, schedule, lookup and menu the flows name;
             one 'file:line:col: message' line per problem, exit 1 when there is any
  list       each flow: its numbers, description, and the queues, voicemail boxes, schedules and lookups it uses
  --root     the directory holding flows/ (default: this checkout)`;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export async function flows(argv: string[], defaultRoot: string, out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    out.stderr(`${err instanceof Error ? err.message : String(err)}\n${FLOWS_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.stdout(`${FLOWS_USAGE}\n`);
    return 0;
  }
  const [command, ...extra] = parsed.positionals;
  if ((command !== 'validate' && command !== 'list') || extra.length > 0 || parsed.values.root === '') {
    out.stderr(`${FLOWS_USAGE}\n`);
    return 2;
  }
  let checker: typeof import('../src/flows-check/validate.js');
  try {
    checker = await import('../src/flows-check/validate.js');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(err).includes("'typescript'")) {
      out.stderr('switchboard flows needs the typescript package (a dev dependency): run npm install\n');
      return 2;
    }
    throw err;
  }
  const root = parsed.values.root ?? defaultRoot;
  if (!existsSync(path.join(root, 'flows'))) {
    out.stderr(`no flows/ directory in ${path.resolve(root)}\n`);
    return 2;
  }
  const check = await checker.checkFlows(root, { typeCheck: command === 'validate' });
  if (command === 'list') {
    out.stdout(formatList(check.flows));
    return 0;
  }
  const { text, ok } = formatCheck(check);
  out.stdout(text);
  return ok ? 0 : 1;
}
