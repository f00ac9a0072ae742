/**
 * What flows can name: the queues (flows/index.ts), voicemail boxes, schedules and lookups, read from their object
 * literals, or by importing the module when a registry is built some other way.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registryEntries, type RegistryEntry } from './ast.js';
import type { LiteralString } from './call-sites.js';
import type { Problems } from './problems.js';
import type { FlowsProgram } from './program.js';

export interface Registry {
  label: string;
  plural: string;
  /** flows/<file>.ts */
  file: string;
  names: Set<string> | undefined;
  entries: RegistryEntry[] | undefined;
  /** Why names is undefined. */
  missing?: string;
}

export interface Registries {
  queues: Registry;
  boxes: Registry;
  schedules: Registry;
  lookups: Registry;
}

async function loadRegistry(
  fp: FlowsProgram,
  problems: Problems,
  fileName: string,
  exportName: string,
  label: string,
  plural = `${label}s`,
): Promise<Registry> {
  const rel = `flows/${fileName}`;
  const full = path.join(fp.flowsDir, fileName);
  const sf = fp.program.getSourceFile(full);
  if (!sf) return { label, plural, file: rel, names: undefined, entries: undefined, missing: `${rel} not found` };
  const entries = registryEntries(fp.checker, sf, exportName);
  if (entries) return { label, plural, file: rel, names: new Set(entries.map((e) => e.name)), entries };
  // Built some other way than an object literal: ask the module itself.
  try {
    const mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
    const value = mod[exportName];
    if (!value || typeof value !== 'object') throw new Error(`it exports no \`${exportName}\` object`);
    return { label, plural, file: rel, names: new Set(Object.keys(value)), entries: undefined };
  } catch (err) {
    problems.reportFile(
      rel,
      `cannot read the ${label} names from \`${exportName}\`: ${err instanceof Error ? err.message : String(err)}`,
    );
    return { label, plural, file: rel, names: undefined, entries: undefined, missing: `${rel} could not be read` };
  }
}

/** The four registries, one after the other (a module that fails to load is reported in this order). */
export async function loadRegistries(fp: FlowsProgram, problems: Problems): Promise<Registries> {
  const queues = await loadRegistry(fp, problems, 'index.ts', 'queues', 'queue');
  const boxes = await loadRegistry(
    fp,
    problems,
    'voicemail-boxes.ts',
    'voicemailBoxes',
    'voicemail box',
    'voicemail boxes',
  );
  const schedules = await loadRegistry(fp, problems, 'schedules.ts', 'schedules', 'schedule');
  const lookups = await loadRegistry(fp, problems, 'lookups.ts', 'lookups', 'lookup');
  return { queues, boxes, schedules, lookups };
}

function quoteList(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? list.join(', ') : 'none';
}

/** Reports a literal that names nothing in the registry, with the names it could have been. */
export function checkName(problems: Problems, reg: Registry, lit: LiteralString, context?: string): void {
  if (reg.names?.has(lit.value)) return;
  const where = reg.names ? `${reg.plural} in ${reg.file}: ${quoteList(reg.names)}` : reg.missing;
  problems.report(
    lit.node,
    `${context ? `${context}: ` : ''}unknown ${reg.label} '${lit.value}' (${where})${lit.via ? `, ${lit.via}` : ''}`,
  );
}
