import { patched } from '@temporalio/workflow';
import {
  ADOPT_STRAY_RING_PATCH,
  AGENT_TALK_TIMES_PATCH,
  CALL_KEEPALIVE_PATCH,
  CALL_LOCAL_GRAPH_PATCH,
  CALL_PATCHES_AT_ONCE_PATCH,
  CALL_SEARCH_ATTRIBUTES_PATCH,
  FALLBACK_HANGUP_PATCH,
  MILESTONE_BATCHES_PATCH,
  NOTIFICATION_READING_PATCH,
  OFFER_CONFIRMS_HUMAN_PATCH,
  OFFER_TRANSFER_ALREADY_TAKEN_PATCH,
  PHONE_NUMBERS_PATCH,
  TRANSFER_TAKEN_PATCH,
} from './patches.js';

/**
 * The call workflow's patches that every run started since CALL_PATCHES_AT_ONCE_PATCH has, told by that one marker
 * (issue 25). The SDK records each patch a run asks as a marker and an upsert of the TemporalChangeVersion search
 * attribute (a visibility write on the server): a bench call asked eight of these, 16 of its ~103 history events.
 *
 * Frozen: never add an id to this set or take one out. A run with the marker answers true for every id here without
 * a marker of its own, so an id added later would turn on, on replay, a branch its run never took, and an id taken
 * out would be asked by `patched()`, find no marker and turn its branch off: both are nondeterminism errors. A later
 * group of patches gets a marker (and a set) of its own; when these patches' old branches are removed, remove the set
 * with them (every branch taken).
 */
const AT_ONCE: ReadonlySet<string> = new Set([
  MILESTONE_BATCHES_PATCH,
  CALL_LOCAL_GRAPH_PATCH,
  CALL_KEEPALIVE_PATCH,
  NOTIFICATION_READING_PATCH,
  ADOPT_STRAY_RING_PATCH,
  TRANSFER_TAKEN_PATCH,
  OFFER_CONFIRMS_HUMAN_PATCH,
  FALLBACK_HANGUP_PATCH,
  CALL_SEARCH_ATTRIBUTES_PATCH,
  PHONE_NUMBERS_PATCH,
  OFFER_TRANSFER_ALREADY_TAKEN_PATCH,
  AGENT_TALK_TIMES_PATCH,
]);

// Module state is per workflow run (the SDK keeps a module cache per workflow), so this is this run's answer.
let atOnce = false;

/**
 * Decide, first thing in a call's run, whether it has every patch of AT_ONCE. A run that began before (its history
 * has no such marker) answers false on replay and asks each patch where it always did, so it replays unchanged.
 */
export function decideCallPatches(): void {
  atOnce = patched(CALL_PATCHES_AT_ONCE_PATCH);
}

/** `patched(id)` for the call workflow's patches: true with no marker of its own in a run that has them all. */
export function callPatched(id: string): boolean {
  return (atOnce && AT_ONCE.has(id)) || patched(id);
}
