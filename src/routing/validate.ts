import { z } from 'zod';
import {
  CONFIRM_MODES,
  CONNECT_MODES,
  DEFAULT_QUEUE,
  OFFER_MODES,
  ROUTING_METHODS,
  SURVEY_KEYS,
  type QueueAction,
  type QueueConfig,
} from '../contracts/queue-config.js';
import { isE164 } from '../phone/number.js';

/** A queue definition failed validation; each problem names the queue and the field. */
export class QueueValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid queue definitions:\n  ${problems.join('\n  ')}`);
    this.name = 'QueueValidationError';
  }
}

const skills = z.record(z.string().min(1), z.number().int().min(1).max(5));
const action = z.union([
  z.object({ type: z.literal('disconnect'), prompt: z.string().min(1).optional() }).strict(),
  z.object({ type: z.literal('voicemail'), mailbox: z.string().min(1).optional() }).strict(),
  z.object({ type: z.literal('queue'), queue: z.string().min(1) }).strict(),
  z.object({ type: z.literal('transfer'), userId: z.string().min(1) }).strict(),
  z
    // E.164 as libphonenumber-js reads it (a country code that exists, a possible length): what Graph's transfer takes.
    .object({ type: z.literal('transfer'), phone: z.string().refine(isE164, 'must be an E.164 number') })
    .strict(),
]);

// A post-call survey (issue 24, point 5): 1 to 3 questions, each a WAV prompt and the keys that answer it.
const promptFile = z.string().regex(/^[A-Za-z0-9_./-]+\.wav$/, 'a WAV file under flows/prompts/ (name.wav)');
export const surveySchema = z
  .object({
    questions: z
      .array(
        z
          .object({
            prompt: promptFile,
            keys: z
              .array(z.enum(SURVEY_KEYS))
              .min(1, 'list the keys that answer this question')
              .refine((keys) => new Set(keys).size === keys.length, 'a key is listed twice'),
          })
          .strict(),
      )
      .min(1, 'a survey asks 1 to 3 questions')
      .max(3, 'a survey asks 1 to 3 questions'),
    thanks: promptFile.optional(),
  })
  .strict();

export const agentDefinitionSchema = z.object({ name: z.string().min(1), skills: skills.default({}) }).strict();

export const queueDefinitionSchema = z
  .object({
    agents: z
      .array(z.union([z.string().min(1), z.object({ id: z.string().min(1), skills: skills.optional() }).strict()]))
      .min(1),
    method: z.enum(ROUTING_METHODS).default(DEFAULT_QUEUE.method),
    requiredSkills: skills.default({}),
    alertSeconds: z
      .number()
      .int()
      .min(15, 'must be 15–180 s')
      .max(180, 'must be 15–180 s')
      .default(DEFAULT_QUEUE.alertSeconds),
    offerBy: z.enum(OFFER_MODES).default('ring'),
    confirm: z.enum(CONFIRM_MODES).default('key'),
    connectBy: z.enum(CONNECT_MODES).optional(),
    survey: surveySchema.optional(),
    confirmSeconds: z
      .number()
      .int()
      .min(3, 'must be 3–30 s')
      .max(30, 'must be 3–30 s')
      .default(DEFAULT_QUEUE.confirmSeconds ?? 8),
    wrapUpSeconds: z.number().min(0).max(3600).default(DEFAULT_QUEUE.wrapUpSeconds),
    reofferAfterSeconds: z.number().min(0).max(3600).default(DEFAULT_QUEUE.reofferAfterSeconds),
    missesBeforeAway: z.number().int().min(1).max(20).default(DEFAULT_QUEUE.missesBeforeAway),
    maxCalls: z.number().int().min(0).max(200).default(DEFAULT_QUEUE.maxCalls),
    overflowAction: action.default(DEFAULT_QUEUE.overflowAction),
    maxWaitSeconds: z.number().int().min(0).max(2700).default(DEFAULT_QUEUE.maxWaitSeconds),
    timeoutAction: action.default(DEFAULT_QUEUE.timeoutAction),
    noAgentsAction: action.default(DEFAULT_QUEUE.noAgentsAction),
    presenceBased: z.boolean().default(DEFAULT_QUEUE.presenceBased),
    offerToBusy: z.boolean().default(DEFAULT_QUEUE.offerToBusy),
    serviceLevelSeconds: z.number().int().min(1).max(2700).default(DEFAULT_QUEUE.serviceLevelSeconds),
    shortAbandonSeconds: z
      .number()
      .int()
      .min(0, 'must be 0–60 s')
      .max(60, 'must be 0–60 s')
      .default(DEFAULT_QUEUE.shortAbandonSeconds ?? 5),
    // Erlang C cannot staff for 100 % (infinitely many agents): a whole percentage below it. Absent: 80 (src/db).
    serviceLevelTarget: z
      .number()
      .int('must be a whole percentage, 1–99')
      .min(1, 'must be a whole percentage, 1–99')
      .max(99, 'must be a whole percentage, 1–99')
      .optional(),
    announceEverySeconds: z.number().int().min(0).max(600).default(DEFAULT_QUEUE.announceEverySeconds),
    // Names from the admin's wrap-up code list (admin API /wrap-up-codes); absent: every active code.
    wrapUpCodes: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/, 'a wrap-up code: letters, digits, _ . - only, at most 50'))
      .min(1, 'list at least one code, or leave wrapUpCodes out for every active code')
      .refine((codes) => new Set(codes).size === codes.length, 'a code is listed twice')
      .optional(),
  })
  .strict();

export type AgentDefinition = z.input<typeof agentDefinitionSchema>;
export type QueueDefinition = z.input<typeof queueDefinitionSchema>;

/**
 * Validate every queue against the agent directory and each other, and turn the definitions into the configs the
 * routing engine runs. Throws QueueValidationError listing every problem as `queue <name>: <field>: <message>`.
 */
export function validateQueues(
  agents: Record<string, AgentDefinition>,
  definitions: Record<string, QueueDefinition>,
): Record<string, QueueConfig> {
  const problems: string[] = [];
  const directory: Record<string, z.output<typeof agentDefinitionSchema>> = {};
  for (const [id, def] of Object.entries(agents)) {
    const parsed = agentDefinitionSchema.safeParse(def);
    if (parsed.success) directory[id] = parsed.data;
    else
      for (const issue of parsed.error.issues)
        problems.push(`agent ${id}: ${issue.path.join('.') || '(agent)'}: ${issue.message}`);
  }

  const configs: Record<string, QueueConfig> = {};
  for (const [name, def] of Object.entries(definitions)) {
    const at = (field: string, message: string) => problems.push(`queue ${name}: ${field}: ${message}`);
    const parsed = queueDefinitionSchema.safeParse(def);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) at(issue.path.join('.') || '(queue)', issue.message);
      continue;
    }
    const q = parsed.data;
    if (q.connectBy === 'conference' && q.offerBy === 'transfer') {
      at('connectBy', "conference invites the agent's answered ring into the call, which needs offerBy 'ring'");
    }
    if (q.survey && q.connectBy !== 'conference') {
      // After a transfer Switchboard has left the call: nobody is there to play the questions (docs/routing.md).
      at('survey', "a survey is played by Switchboard after the agent leaves, which needs connectBy 'conference'");
    }
    if (q.method === 'attendant' && q.offerBy === 'transfer') {
      at('offerBy', "attendant rings several agents at once, which needs 'ring' (a blind transfer reaches one agent)");
    }
    const ids: string[] = [];
    const agentSkills: QueueConfig['agentSkills'] = {};
    q.agents.forEach((entry, i) => {
      const id = typeof entry === 'string' ? entry : entry.id;
      if (!directory[id]) return at(`agents[${i}]`, `unknown agent ${id}`);
      if (ids.includes(id)) return at(`agents[${i}]`, `agent ${id} is listed twice`);
      ids.push(id);
      agentSkills[id] = { ...directory[id].skills, ...(typeof entry === 'string' ? {} : entry.skills) };
    });
    if (q.method === 'skills' || Object.keys(q.requiredSkills).length > 0) {
      const need = q.requiredSkills;
      const anyone = ids.some((id) => Object.entries(need).every(([s, level]) => (agentSkills[id]?.[s] ?? 0) >= level));
      if (ids.length > 0 && !anyone) {
        at(
          'requiredSkills',
          `no agent of this queue has ${Object.entries(need)
            .map(([s, l]) => `${s} ≥ ${l}`)
            .join(' and ')}`,
        );
      }
    }
    configs[name] = { name, ...q, agents: ids, agentSkills };
  }

  for (const [name, q] of Object.entries(configs)) {
    for (const field of ['overflowAction', 'timeoutAction', 'noAgentsAction'] as const) {
      const a: QueueAction = q[field];
      if (a.type === 'queue' && !configs[a.queue] && !definitions[a.queue])
        problems.push(`queue ${name}: ${field}.queue: unknown queue ${a.queue}`);
      if (a.type === 'queue' && a.queue === name)
        problems.push(`queue ${name}: ${field}.queue: a queue cannot send calls to itself`);
    }
  }
  const cycle = overflowCycle(configs);
  if (cycle)
    problems.push(
      `queue ${cycle[0]}: overflowAction/timeoutAction/noAgentsAction: calls can go round in a cycle ${cycle.join(' → ')}`,
    );

  if (problems.length) throw new QueueValidationError(problems);
  return configs;
}

/** A caller sent on from queue to queue must end somewhere: find a cycle among the "another queue" actions. */
function overflowCycle(configs: Record<string, QueueConfig>): string[] | undefined {
  const next = (q: QueueConfig) =>
    [q.overflowAction, q.timeoutAction, q.noAgentsAction].flatMap((a) =>
      a.type === 'queue' && a.queue !== q.name ? [a.queue] : [],
    );
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !configs[name]) return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const n of next(configs[name])) {
      const found = visit(n);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(configs).sort()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
