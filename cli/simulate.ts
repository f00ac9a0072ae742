/**
 * `switchboard simulate <scenario.json>`: runs a scenario against a running stack's Graph emulator (EMULATOR_URL,
 * default http://127.0.0.1:4000) and prints every call's steps as they happen. Exit code 0 when every call ended.
 */
import { formatStep, loadScenario, runScenario, ScenarioError } from '../devkit/scenarios/scenario.js';
import { SIMULATE_USAGE } from './usage.js';

export async function simulate(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(`${SIMULATE_USAGE}\n`);
    return 2;
  }
  const emulatorUrl = env['EMULATOR_URL'] || 'http://127.0.0.1:4000';
  try {
    const scenario = await loadScenario(file);
    process.stdout.write(`scenario ${scenario.name} against ${emulatorUrl}\n`);
    const result = await runScenario(scenario, {
      emulatorUrl,
      onStep: (s) => process.stdout.write(`${formatStep(s)}\n`),
    });
    for (const c of result.calls) {
      // Who the caller ended up with: the agent (or number) a transfer put them through to.
      if (c.transfer)
        process.stdout.write(
          `${c.label} ${c.callId}: put through to ${c.transfer.target.userId ?? c.transfer.target.phone} (${c.transfer.outcome})\n`,
        );
      const r = c.resultInfo
        ? ` (${c.resultInfo.code}/${c.resultInfo.subcode} ${c.resultInfo.message})`
        : c.terminationReason
          ? ` (${c.terminationReason})`
          : '';
      process.stdout.write(`${c.label} ${c.callId}: ${c.state}${r}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`simulate: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`simulate: ${(e as Error).message}\n`);
    return 1;
  }
}
