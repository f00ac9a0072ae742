/** The bodies of POST /calls/{id}/supervise (issue 24, point 3): see supervise.ts. */
import { z } from 'zod';
import { SUPERVISE_MODES } from '../contracts/supervise.js';

export const superviseBody = z
  .object({
    mode: z.enum(SUPERVISE_MODES),
    /** Who joins; the caller of the API unless given (an admin may send another supervisor). */
    supervisorId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,100}$/, 'not a user id')
      .optional(),
  })
  .strict();

export const superviseResponse = z.object({
  callId: z.string(),
  supervisorId: z.string(),
  mode: z.enum(SUPERVISE_MODES),
  outcome: z.enum(['joined', 'notJoined']),
  muted: z.boolean(),
});
