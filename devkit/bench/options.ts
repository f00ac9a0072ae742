/** `npm run bench` options: parsed, checked (a clear message and exit 2 for a bad one), and `--help`. */
import { parseArgs } from 'node:util';

export const BENCH_USAGE = `usage: npm run bench -- [options]

  --rate N           calls placed per second (default 10)
  --duration S       seconds of calls (default 30): rate × duration calls in all
  --agents N         scripted agents (default 50)
  --queues N         1: every call dials the default line (greeting, then the queue support); N > 1: queues
                     bench-1..bench-N, each with Teams' limit of 200 waiting calls, call i into queue i mod N (default 1)
  --talk-ms MS       how long an agent talks (default 3000)
  --patience S       seconds after dialling at which each caller hangs up; 0 = never (default 0)
  --rows N           calls of history for the dashboard queries (default 1000000)
  --no-panels        skip the dashboard queries
  --no-presence      queues route without looking at Teams presence
  --confirm MODE     key: an answered ring hears the whisper and the agent presses 1 (default, as queues do);
                     none: any answered ring takes the caller (to measure what the confirm step costs)
  --media-speed X    prompts play X times faster than their audio (default 1, as on Graph)
  --ceiling-calls N  bare workflows for the ceiling, all started at once (default 200)
  --profile DIR      the Switchboard process writes its CPU profiles to DIR (npm run bench:profile -- DIR)
  --cluster          the production shape (devkit/cluster/): the Temporal server built from its Go module on Postgres,
                     worker processes and a web process apart (no eager start)
  --workers N        worker processes with --cluster (default 2)
  --help             this text`;

export interface BenchOptions {
  rate: number;
  duration: number;
  agents: number;
  queues: number;
  talkMs: number;
  patienceMs: number;
  rows: number;
  panels: boolean;
  presence: boolean;
  confirm: 'key' | 'none';
  mediaSpeed: number;
  ceilingCalls: number;
  profile: string | undefined;
  /** Worker processes on the production shape (devkit/cluster/); undefined: the embedded stack. */
  clusterWorkers: number | undefined;
}

/** Thrown for options the bench cannot run with; the message says which and why. */
export class BenchUsageError extends Error {}

/** The options, or 'help'; throws BenchUsageError for an unknown option or a value out of range. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rate: { type: 'string', default: '10' },
        duration: { type: 'string', default: '30' },
        agents: { type: 'string', default: '50' },
        queues: { type: 'string', default: '1' },
        'talk-ms': { type: 'string', default: '3000' },
        patience: { type: 'string', default: '0' },
        rows: { type: 'string', default: '1000000' },
        'no-panels': { type: 'boolean', default: false },
        // Queues route without looking at Teams presence (presenceBased: false): an agent is offered a call as soon
        // as their workflow says they are available, not once the presence poller has seen them leave their last call.
        'no-presence': { type: 'boolean', default: false },
        // 1 = prompts last as long as their audio, as on Graph. Faster media makes every waiting caller loop its hold
        // music that many times faster, i.e. that much more Temporal work per waiting call than real callers cause.
        'media-speed': { type: 'string', default: '1' },
        confirm: { type: 'string', default: 'key' },
        'ceiling-calls': { type: 'string', default: '200' },
        profile: { type: 'string' },
        cluster: { type: 'boolean', default: false },
        workers: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const number = (name: string, text: string, check: (n: number) => boolean, what: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !check(n))
      throw new BenchUsageError(`--${name} must be ${what} (got ${JSON.stringify(text)})`);
    return n;
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  if (values.confirm !== 'key' && values.confirm !== 'none')
    throw new BenchUsageError(`--confirm must be key or none (got ${JSON.stringify(values.confirm)})`);
  const options: BenchOptions = {
    rate: number('rate', values.rate, (n) => n > 0, 'a number of calls per second > 0'),
    duration: number('duration', values.duration, (n) => n > 0, 'a number of seconds > 0'),
    agents: number('agents', values.agents, whole, 'a whole number ≥ 1'),
    queues: number('queues', values.queues, whole, 'a whole number ≥ 1'),
    talkMs: number('talk-ms', values['talk-ms'], (n) => n >= 0, 'a number of milliseconds ≥ 0'),
    patienceMs: number('patience', values.patience, (n) => n >= 0, 'a number of seconds ≥ 0') * 1000,
    rows: number('rows', values.rows, whole, 'a whole number ≥ 1'),
    panels: !values['no-panels'],
    presence: !values['no-presence'],
    confirm: values.confirm,
    mediaSpeed: number('media-speed', values['media-speed'], (n) => n > 0, 'a number > 0'),
    ceilingCalls: number('ceiling-calls', values['ceiling-calls'], whole, 'a whole number ≥ 1'),
    profile: values.profile,
    clusterWorkers: values.cluster
      ? number('workers', values.workers ?? '2', (n) => whole(n) && n <= 8, 'a whole number from 1 to 8')
      : undefined,
  };
  if (values.workers !== undefined && !values.cluster)
    throw new BenchUsageError('--workers needs --cluster (the embedded stack runs one Switchboard process)');
  if (values.cluster && values.profile)
    throw new BenchUsageError("--profile profiles the embedded stack's one Switchboard process: not with --cluster");
  if (options.queues > options.agents)
    throw new BenchUsageError('--queues needs at least one agent per queue (--agents ≥ --queues)');
  return options;
}
