/**
 * `npm run bench:profile -- DIR`: where the CPU of a profiled bench run went, from the `.cpuprofile` files Node writes
 * for the Switchboard process of `npm run bench -- --profile DIR` (Node's `--cpu-prof`), one per thread: the main
 * thread runs the web process and activities, the workflow thread workflow code. A process run with
 * `node --cpu-prof --cpu-prof-dir DIR` directly works too. Each sample is charged to the nearest frame of ours above it
 * (the emulator, the webhook, an activity, workflow code, the bench driver), so a library's time counts for whoever
 * called it; samples with none of our frames (event-loop callbacks: gRPC, sockets, timers) are charged by the library
 * they ran in. Prints one line per thread and category, then one JSON line.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Our code, by path: the first of these found walking up from the sampled frame owns the sample. */
const OURS: [RegExp, string][] = [
  [/\/src\/emulator\//, 'emulator (Graph stand-in)'],
  [/\/src\/bench\//, 'bench driver'],
  [/\/workflows\//, 'workflow bundle (ours and SDK runtime)'],
  [/\/activities\//, 'activities'],
  [/\/src\/(server|graph)\//, 'webhook and Graph client'],
  [/\/src\/(db|temporal|metrics|log)/, 'Switchboard plumbing'],
];
/** Otherwise, by the sampled frame's own library. */
const LIBRARIES: [RegExp, string][] = [
  [/^\(garbage collector\)$/, 'GC'],
  [/^\(idle\)$/, 'idle'],
  [/^\(program\)$/, 'V8 and native (program)'],
  [/@mikro-orm|\/pg\/|pg-protocol|knex/, 'Postgres client'],
  [/undici|node:internal\/(http|net|stream|tls)|node:(http|net)/, 'HTTP and sockets'],
  // The bundle holds our workflows and the SDK's workflow runtime; runInContext is the SDK entering it.
  [/workflow-bundle|evalmachine|^runInContext$/, 'workflow bundle (ours and SDK runtime)'],
  // The worker is built on rxjs and hands activations to the workflow thread by postMessage.
  [/@temporalio|@grpc|protobufjs|rxjs|^postMessage$|node:internal\/worker/, 'Temporal SDK and gRPC'],
  [/^(writeBuffer|writev|read)$/, 'HTTP and sockets'],
  [/jose|@azure|node:internal\/crypto/, 'JWT signing and checking, tokens'],
];

function categorise(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    let found: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !found; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      found = OURS.find(([re]) => re.test(url))?.[1];
    }
    // Not ours: the library of the nearest frame with a source (a native such as postMessage counts for its caller).
    for (let at: number | undefined = id; at !== undefined && !found; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const name = frame.url || frame.functionName;
      if (!name || name === '(root)') continue;
      found = LIBRARIES.find(([re]) => re.test(name))?.[1] ?? (frame.url ? 'other (Node, libraries)' : undefined);
    }
    found ??= 'other (Node, libraries)';
    owner.set(id, found);
    return found;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const key = ownerOf(id);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run bench:profile -- DIR   (DIR: the --cpu-prof-dir of a bench run)');
  process.exit(2);
}
const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
if (files.length === 0) {
  console.error(`no .cpuprofile files in ${dir}`);
  process.exit(2);
}
const result: Record<string, { wall_s: number; busy_s: number; seconds: Record<string, number> }> = {};
for (const file of files) {
  const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Profile;
  const totals = categorise(profile);
  const seconds = Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, Math.round(us / 1e4) / 100]),
  );
  const busy = [...totals].filter(([k]) => k !== 'idle').reduce((s, [, us]) => s + us, 0);
  result[file] = {
    wall_s: Math.round((profile.endTime - profile.startTime) / 1e4) / 100,
    busy_s: Math.round(busy / 1e4) / 100,
    seconds,
  };
  console.log(`${file}: ${result[file].busy_s} s busy of ${result[file].wall_s} s`);
  for (const [k, s] of Object.entries(seconds))
    if (k !== 'idle')
      console.log(
        `  ${k.padEnd(28)} ${s.toFixed(2).padStart(8)} s  ${((100 * s) / result[file].busy_s).toFixed(1).padStart(5)} %`,
      );
}
console.log(JSON.stringify(result));
