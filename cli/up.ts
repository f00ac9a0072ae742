import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import { startStack, type Stack, type StackRoles } from '../app/stack.js';
import type { Emulator } from '../devkit/emulator/server.js';
import { agents, queues } from '../flows/index.js';
import { DEMO_SUPERVISOR } from '../src/tabs/demo-sign-in.js';
import { callWorkflowId } from '../src/contracts/call.js';
import { Call } from '../src/db/entities/call.js';
import { CallEvent } from '../src/db/entities/call-event.js';
import { Shutdown } from './shutdown.js';

const LABELS: Record<string, string> = {
  temporal: 'Temporal',
  postgres: 'Postgres',
  worker: 'Worker',
  web: 'Express',
  emulator: 'Graph emulator',
};

/** The demo's first agent (flows/index.ts), whom the demo call rings first. */
const DEMO_AGENT = Object.keys(agents)[0] ?? '';

/** `switchboard up`: the whole contact center on embedded defaults, plus one demo call printed step by step. */
export async function up(
  config: Config,
  logger: Logger,
  opts: { demo: boolean; roles?: StackRoles; shutdown?: Shutdown },
): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Ctrl-C is ours from the first moment (the CLI takes it before loading this module): during start-up, the demo, or
  // running (cli/shutdown.ts). Loading the stack's modules may have added other listeners since; ours stay alone.
  const shutdown = opts.shutdown ?? new Shutdown(out);
  shutdown.takeSignals();
  out('Starting Switchboard…');
  // `switchboard up` is the embedded demo: without GRAPH_BASE_URL the Graph emulator stands in for Microsoft, so the
  // demo works on a machine with no tenant. A web or worker process of its own (`switchboard web|worker`, given its
  // roles) never offers it: it fails closed without GRAPH_BASE_URL (app/stack/fail-closed.ts), and never loads the kit.
  let stack: Stack<Emulator>;
  try {
    stack = await startStack(config, logger, {
      onStep: (s) => out(`  ✓ ${LABELS[s.component]!.padEnd(15)} ${s.detail}`),
      signal: shutdown.signal,
      ...(opts.roles
        ? { roles: opts.roles }
        : {
            graphStandIn: async (c: Config, l: Logger) =>
              (await import('../devkit/emulator/stand-in.js')).emulatorStandIn(c, l),
          }),
    });
  } catch (err) {
    // Stopped during start-up: startStack has stopped what it had started.
    if (shutdown.requested) await shutdown.finish();
    throw err;
  }
  shutdown.adopt(() => stack.stop());
  if (stack.emulator) {
    // The demo's agent tab offers wrap-up codes to pick (issue 23, point 1); a database with codes is left alone.
    // Loaded here only: a web or worker process of its own never has the emulator, and never loads the kit.
    const { seedDemoWrapUpCodes } = await import('../devkit/teams/demo-wrap-up-codes.js');
    const seeded = await seedDemoWrapUpCodes(stack.orm);
    if (seeded.length > 0) out(`  ✓ ${'demo'.padEnd(15)} wrap-up codes: ${seeded.join(', ')}`);
  }

  out('');
  if (stack.temporalUiUrl)
    out(`  Temporal UI     ${stack.temporalUiUrl}/namespaces/${config.temporal.namespace}/workflows`);
  out(`  Temporal        ${stack.temporalAddress} (namespace ${config.temporal.namespace})`);
  if (stack.webUrl) {
    out(`  Health          ${stack.webUrl}/healthz`);
    out(`  Graph webhook   ${config.publicUrl}/api/calling`);
  }
  if (stack.emulator)
    out(`  Graph emulator  ${stack.emulator.graphBaseUrl}  (control: ${stack.emulator.url}/emulator)`);
  if (stack.webUrl) {
    out(`  Admin API       ${stack.webUrl}/api/admin  (OpenAPI: ${stack.webUrl}/api/openapi.json)`);
    if (stack.emulator && !config.security.adminOpenIdUrl) {
      // The emulator signs admin tokens for its tenant, so the admin API and CLI can be tried without Entra ID.
      const emulatorEnv = stack.emulator.url === 'http://127.0.0.1:4000' ? '' : `EMULATOR_URL=${stack.emulator.url} `;
      const apiEnv = stack.webUrl === 'http://127.0.0.1:3978' ? '' : `SWITCHBOARD_API_URL=${stack.webUrl} `;
      out(`  Admin token     export SWITCHBOARD_ADMIN_TOKEN=$(${emulatorEnv}npx switchboard admin token --role Admin)`);
      out(`                  then e.g. ${apiEnv}npx switchboard admin schedules   (roles: Admin, Supervisor, Agent)`);
    }
    out(
      `  Teams tabs      ${stack.webUrl}/tabs/agent  and  ${stack.webUrl}/tabs/supervisor  (in Teams: npx switchboard teams package)`,
    );
    if (stack.emulator) {
      // Signed in at once as a demo user (the sign-in page gets their token from the emulator; no Teams needed).
      out(`  Open as agent   ${stack.webUrl}/tabs/sign-in?as=${DEMO_AGENT}&next=agent`);
      out(`  Open as super.  ${stack.webUrl}/tabs/sign-in?as=${DEMO_SUPERVISOR.id}&next=supervisor`);
    }
  }
  out('');

  if (opts.demo && stack.emulator && !shutdown.requested) await demoCall(stack, out, shutdown.signal);
  // Ctrl-C during the demo: the stack is stopping, not running.
  if (!shutdown.requested) out('Switchboard is running. Press Ctrl-C to stop.');
}

async function demoCall(stack: Stack<Emulator>, out: (line: string) => void, stopping: AbortSignal): Promise<void> {
  const emulator = stack.emulator!;
  const agent = queues.support!.agents[0]!;
  for (const a of queues.support!.agents)
    emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 3000, talkMs: 20_000 });
  const started = Date.now();
  let callId: string | undefined;
  const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const onStep = (step: { callId?: string; kind: string; detail?: unknown }) => {
    if (callId && step.callId && step.callId !== callId) return;
    const detail = typeof step.detail === 'string' ? step.detail : step.detail ? JSON.stringify(step.detail) : '';
    out(`  ${stamp()}  ${step.kind.padEnd(28)} ${detail.slice(0, 110)}`);
  };
  emulator.events.on('step', onStep);
  out(`Demo call: +1 425 555 0100 dials the support line; agent ${agent} will take it.`);
  try {
    ({ callId } = await emulator.placeCall({ from: { phone: '+14255550100' } }));
    const handle = stack.client.workflow.getHandle(callWorkflowId(callId));
    // The incoming-call notification travels emulator → webhook → Temporal; wait for the workflow to exist.
    for (let i = 0; ; i++) {
      const exists = await handle.describe().then(
        () => true,
        () => false,
      );
      if (exists) break;
      if (i > 200) throw new Error('the call never reached Temporal; see the log');
      await new Promise((r) => setTimeout(r, 50));
    }
    out(`  ${stamp()}  ${'workflow'.padEnd(28)} ${callWorkflowId(callId)} started`);
    const result = await handle.result();
    const em = stack.orm.em.fork();
    const cdr = await em.findOneOrFail(Call, { id: callId });
    const events = await em.count(CallEvent, { callId });
    out('');
    out(
      `Demo call ${result.outcome}: agent ${cdr.agentId ?? '-'}, waited ${cdr.waitSeconds ?? '-'} s; ` +
        `CDR and ${events} timeline events are in Postgres (table call, call_event).`,
    );
  } catch (err) {
    // Stopped mid-call by Ctrl-C: the call's workflow stays in Temporal, and that is no failure of the demo.
    if (stopping.aborted) return;
    out(`Demo call failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    emulator.events.off('step', onStep);
  }
  out('');
}
