/** The bodies of POST /calls/{id}/transfer (issue 24, point 4): see transfer.ts. */
import { z } from 'zod';

const userId = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not a user id');

export const transferBody = z
  .object({
    /** Another queue (by name): the caller waits there with the time already waited. */
    queue: z.string().min(1).max(100).optional(),
    /** A colleague (Teams user id): rung directly and brought into the call. */
    agentId: userId.optional(),
    /** The first agent leaves at once instead of staying until the next one is in (warm, the default). */
    blind: z.boolean().optional(),
  })
  .strict();

export const transferResponse = z.object({
  callId: z.string(),
  fromAgentId: z.string(),
  to: z.union([z.object({ queue: z.string() }), z.object({ agentId: z.string() })]),
  blind: z.boolean(),
  outcome: z.literal('transferring'),
});
