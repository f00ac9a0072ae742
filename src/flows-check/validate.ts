/**
 * `switchboard flows validate` and `switchboard flows list` (issue 5, point 3): type-checks flows/ and checks, from
 * the AST, that every prompt, queue, voicemail box, schedule and lookup a flow names with a literal exists (prompts:
 * 16 kHz 16-bit mono PCM WAV under flows/prompts/), that every menu option leads somewhere, and that the flow table
 * in flows/flows.ts is consistent. Arguments that are not literals are checked by the flow runtime when the call
 * reaches them. The checker takes the root directory (the one holding flows/), so tests run it on a copy.
 * Each check is in its own file; report.ts prints the result.
 */
import { existsSync, statSync } from 'node:fs';
import ts from 'typescript';
import { CallSites } from './call-sites.js';
import { readFlowTable } from './flow-table.js';
import { Problems } from './problems.js';
import { createFlowsProgram, position } from './program.js';
import { PromptChecker } from './prompts.js';
import { loadRegistries } from './registries.js';
import { checkQueueActions, checkSchedules, checkVoicemailGreetings } from './registry-checks.js';
import { readRuntimeDefaults } from './runtime-defaults.js';
import type { FlowsCheck } from './types.js';
import { checkVerbCalls } from './verb-checks.js';

/** Runs every check; `typeCheck: false` skips the compiler diagnostics (for `flows list`). */
export async function checkFlows(
  rootDir: string,
  { typeCheck = true }: { typeCheck?: boolean } = {},
): Promise<FlowsCheck> {
  const fp = createFlowsProgram(rootDir);
  const { root, flowsDir, program } = fp;
  const problems = new Problems(root);

  if (!existsSync(flowsDir) || !statSync(flowsDir).isDirectory()) {
    problems.reportFile('flows', `no flows/ directory in ${root}`);
    return { problems: problems.sorted(), flows: [] };
  }

  // 1. The compiler's diagnostics, only those in flows/.
  if (typeCheck) {
    for (const d of fp.configErrors) {
      problems.push({
        file: 'tsconfig.json',
        line: 1,
        col: 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
        kind: 'type',
      });
    }
    for (const sf of fp.files) {
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const text = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ');
        problems.push({
          file: position(root, sf).file,
          line: line + 1,
          col: character + 1,
          message: `error TS${d.code}: ${text}`,
          kind: 'type',
        });
      }
    }
  }

  // 2. Prompts: existence and format, each file read once.
  const sites = new CallSites(fp);
  const prompts = new PromptChecker(fp, sites, problems);

  // 3. What the flows can name, and the registries' own definitions.
  const registries = await loadRegistries(fp, problems);
  checkVoicemailGreetings(registries, prompts);
  checkQueueActions(fp, sites, problems, registries, prompts);
  await checkSchedules(fp, problems, registries);

  // 4. Every verb called with literals, in every file under flows/.
  checkVerbCalls({ fp, sites, problems, prompts, registries, defaults: readRuntimeDefaults(root) });

  // 5. The flow table.
  const flows = readFlowTable(fp, sites, problems);

  return { problems: problems.sorted(), flows };
}
