/** What `switchboard flows validate` and `switchboard flows list` print. */
import type { FlowsCheck, FlowSummary } from './types.js';

/** `file:line:col: message` lines and the summary, as `switchboard flows validate` prints them. */
export function formatCheck(check: FlowsCheck): { text: string; ok: boolean } {
  const { problems, flows } = check;
  if (problems.length === 0) {
    const numbers = new Set(flows.flatMap((f) => f.numbers).filter((n) => n !== 'default'));
    return { text: `flows OK: ${flows.length} flows, ${numbers.size} numbers\n`, ok: true };
  }
  const types = problems.filter((p) => p.kind === 'type').length;
  const structural = problems.length - types;
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(problems.length, 'problem')} in flows/ (${plural(types, 'type error')}, ${plural(structural, 'flow problem')})`,
  );
  return { text: `${lines.join('\n')}\n`, ok: false };
}

/** The `switchboard flows list` text. */
export function formatList(flows: readonly FlowSummary[]): string {
  const blocks = flows.map((f) => {
    const lines = [f.name ?? `(not a literal FlowDefinition, ${f.at})`];
    const row = (label: string, values: readonly string[] | string | undefined) =>
      lines.push(
        `  ${`${label}:`.padEnd(17)}${Array.isArray(values) ? (values.length ? values.join(', ') : '-') : (values ?? '-')}`,
      );
    row('numbers', f.numbers);
    row('description', f.description);
    row('queues', f.queues);
    row('voicemail boxes', f.voicemailBoxes);
    row('schedules', f.schedules);
    row('lookups', f.lookups);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
