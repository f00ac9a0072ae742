/**
 * `switchboard doctor`: checks a real tenant and this deployment before the first call, one line per check (ok, or
 * what to fix and where), and exits 1 if any check fails. Warnings (an embedded service, a check it may not run) do
 * not fail it.
 */
import type { Config } from '../src/config.js';
import {
  graphChecks,
  postgresCheck,
  publicUrlChecks,
  signingKeysCheck,
  temporalCheck,
  type DoctorFlows,
  type DoctorLine,
} from '../src/doctor/checks.js';
import { temporalRetentionCheck } from '../src/doctor/temporal-retention.js';
import { temporalSearchAttributesCheck } from '../src/doctor/temporal-search-attributes.js';

const MARK: Record<DoctorLine['verdict'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** What the flows in flows/ use: queues, agents, voicemail boxes, and the resource accounts that select a flow. */
export async function flowsInUse(): Promise<DoctorFlows> {
  const [{ queues, agents }, { voicemailBoxes }, { callFlows }] = await Promise.all([
    import('../flows/index.js'),
    import('../flows/voicemail-boxes.js'),
    import('../flows/flows.js'),
  ]);
  const boxes = Object.values(voicemailBoxes);
  return {
    queues: Object.keys(queues).length,
    agents: Object.keys(agents).length,
    voicemailBoxes: boxes.length,
    boxesWithTeamsUsers: boxes.filter((b) => (b.notify.teamsUserIds ?? []).length > 0).length,
    resourceAccounts: callFlows.flatMap((f) =>
      f.numbers.filter((n) => n !== 'default').map((id) => ({ id, flow: f.name })),
    ),
  };
}

export async function doctor(
  config: Config,
  out: { stdout(text: string): void },
  flows?: DoctorFlows,
): Promise<number> {
  const used = flows ?? (await flowsInUse());
  const groups = await Promise.all([
    graphChecks(config, used),
    publicUrlChecks(config),
    signingKeysCheck(config).then((l) => [l]),
    temporalCheck(config).then((l) => [l]),
    temporalRetentionCheck(config).then((l) => [l]),
    temporalSearchAttributesCheck(config).then((l) => [l]),
    postgresCheck(config).then((l) => [l]),
  ]);
  const lines = groups.flat();
  for (const l of lines) out.stdout(`${MARK[l.verdict]}  ${l.check}: ${l.detail}\n`);
  const failed = lines.filter((l) => l.verdict === 'fail').length;
  out.stdout(failed ? `\n${failed} check(s) failed: fix them before the first call.\n` : '\nready for calls.\n');
  return failed ? 1 : 0;
}
