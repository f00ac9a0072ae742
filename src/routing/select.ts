import type { TeamsPresence } from '../contracts/agent.js';
import type { AgentView } from '../contracts/queue.js';
import type { QueueConfig, Skills } from '../contracts/queue-config.js';

/** Attendant rings at most this many agents at once (Graph's limit for simultaneous ring). */
export const ATTENDANT_MAX = 25;

export function presenceAllows(config: QueueConfig, presence: TeamsPresence | undefined): boolean {
  if (!config.presenceBased || !presence) return true; // no reading yet: let the reservation and Graph decide
  const a = presence.availability;
  if (a === 'Available' || a === 'AvailableIdle') return true;
  return config.offerToBusy && (a === 'Busy' || a === 'BusyIdle');
}

export function meetsSkills(have: Skills | undefined, need: Skills): boolean {
  return Object.entries(need).every(([skill, level]) => (have?.[skill] ?? 0) >= level);
}

/** How well an agent fits the rule: the sum of their levels in the required skills (all skills when none). */
export function skillScore(have: Skills | undefined, need: Skills): number {
  const keys = Object.keys(need).length ? Object.keys(need) : Object.keys(have ?? {});
  return keys.reduce((sum, k) => sum + (have?.[k] ?? 0), 0);
}

/**
 * The agents to try for one call, best first, by the queue's routing method. The queue reserves them in this order
 * until one reservation is accepted; the agent's workflow has the last word.
 * `lastOffered` is the index in config.agents of the agent last offered a call (round robin resumes after it).
 */
/** Available, or not heard from yet (the agent's own reservation check then decides). */
export const mayBeFree = (state: AgentView['state']): boolean => state === 'available' || state === 'unknown';

export function candidates(
  config: QueueConfig,
  view: Record<string, AgentView>,
  excluded: (agentId: string) => boolean,
  lastOffered: number,
  callSkills: Skills = {},
): string[] {
  const eligible = (id: string) => {
    const v = view[id];
    if (!v || excluded(id)) return false;
    if (!mayBeFree(v.state)) return false;
    return presenceAllows(config, v.presence);
  };
  const idle = (id: string) => view[id]?.idleSince ?? 0;
  const byIdle = (a: string, b: string) => idle(a) - idle(b) || config.agents.indexOf(a) - config.agents.indexOf(b);
  const agents = config.agents.filter(eligible);
  switch (config.method) {
    case 'serial':
      return agents;
    case 'attendant':
      return agents.slice(0, ATTENDANT_MAX);
    case 'roundRobin': {
      const n = config.agents.length;
      const order = config.agents.map((_, i) => config.agents[(lastOffered + 1 + i + n) % n]!);
      return order.filter(eligible);
    }
    case 'longestIdle':
      return [...agents].sort(byIdle);
    case 'skills': {
      const need = { ...config.requiredSkills, ...callSkills };
      return agents
        .filter((id) => meetsSkills(config.agentSkills[id], need))
        .sort(
          (a, b) => skillScore(config.agentSkills[b], need) - skillScore(config.agentSkills[a], need) || byIdle(a, b),
        );
    }
  }
}
