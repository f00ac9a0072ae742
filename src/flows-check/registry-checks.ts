/**
 * Checks of the registries' own definitions: voicemail greetings, the prompts, mailboxes and queues of queue actions,
 * and the schedules (validateSchedules, each error at the field it is about).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { validateSchedules } from '../schedules/evaluate.js';
import { checkPublicHolidaySources } from '../schedules/public-holidays.js';
import type { ScheduleDefinition } from '../schedules/types.js';
import { literalValue, objectProperties, unwrap, UNKNOWN } from './ast.js';
import type { CallSites } from './call-sites.js';
import type { Problems } from './problems.js';
import type { FlowsProgram } from './program.js';
import type { PromptChecker } from './prompts.js';
import { checkName, type Registries } from './registries.js';

export function checkVoicemailGreetings(registries: Registries, prompts: PromptChecker): void {
  for (const entry of registries.boxes.entries ?? []) {
    const value = ts.isExpression(entry.value) ? unwrap(entry.value) : entry.value;
    if (ts.isObjectLiteralExpression(value))
      prompts.check(objectProperties(value).get('greeting')?.value, `voicemail box '${entry.name}' greeting`);
  }
}

/** Queue actions (`noAgentsAction`, `timeoutAction`, …): their prompts, mailboxes and queues. */
export function checkQueueActions(
  fp: FlowsProgram,
  sites: CallSites,
  problems: Problems,
  registries: Registries,
  prompts: PromptChecker,
): void {
  const { queues, boxes } = registries;
  for (const entry of queues.entries ?? []) {
    const def = ts.isExpression(entry.value) ? unwrap(entry.value) : entry.value;
    if (!ts.isObjectLiteralExpression(def)) continue;
    for (const [field, prop] of objectProperties(def)) {
      if (!field.endsWith('Action') || !ts.isExpression(prop.value)) continue;
      const action = unwrap(prop.value);
      if (!ts.isObjectLiteralExpression(action)) continue;
      const props = objectProperties(action);
      const context = `queue '${entry.name}' ${field}`;
      prompts.check(props.get('prompt')?.value, context);
      const mailbox = props.get('mailbox')?.value;
      if (mailbox) for (const lit of sites.literals(mailbox)) checkName(problems, boxes, lit, context);
      const target = props.get('queue')?.value;
      const type = props.get('type')?.value;
      if (target && type && literalValue(fp.checker, type) === 'queue')
        for (const lit of sites.literals(target)) checkName(problems, queues, lit, context);
    }
  }
}

/** validateSchedules on the schedules' literals (or the loaded module), each error at the field it is about. */
export async function checkSchedules(fp: FlowsProgram, problems: Problems, registries: Registries): Promise<void> {
  const { schedules } = registries;
  if (!schedules.entries && !schedules.names) return;
  let defs: Record<string, ScheduleDefinition> | undefined;
  const entries = schedules.entries;
  if (entries) {
    const values = entries.map((e) => literalValue(fp.checker, e.value));
    if (!values.includes(UNKNOWN))
      defs = Object.fromEntries(entries.map((e, i) => [e.name, values[i]])) as Record<string, ScheduleDefinition>;
  }
  if (!defs) {
    try {
      const mod = (await import(pathToFileURL(path.join(fp.flowsDir, 'schedules.ts')).href)) as {
        schedules?: Record<string, ScheduleDefinition>;
      };
      defs = mod.schedules;
    } catch (err) {
      problems.reportFile(
        schedules.file,
        `cannot load the schedules: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  for (const e of defs ? [...validateSchedules(defs), ...checkPublicHolidaySources(defs)] : []) {
    const entry = entries?.find((x) => x.name === e.schedule);
    const message = `schedule '${e.schedule}': ${e.field}: ${e.message}`;
    if (entry) problems.report(e.field === '(name)' ? entry.nameNode : locateField(entry.value, e.field), message);
    else problems.reportFile(schedules.file, message);
  }
}

/** The node of `field` ('holidays[3].date', 'weekly.mon[0]') inside an object literal; the closest one found. */
function locateField(value: ts.Node, field: string): ts.Node {
  let node: ts.Node = value;
  for (const part of field.match(/[^.[\]]+/g) ?? []) {
    const e = ts.isExpression(node) ? unwrap(node) : node;
    let next: ts.Node | undefined;
    if (ts.isObjectLiteralExpression(e)) next = objectProperties(e).get(part)?.value;
    else if (ts.isArrayLiteralExpression(e) && /^\d+$/.test(part)) next = e.elements[Number(part)];
    if (!next) break;
    node = next;
  }
  return node;
}
