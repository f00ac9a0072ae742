/**
 * How a call Switchboard placed (a ring to an agent, a callback) ended, read from Graph's resultInfo: the one table
 * the app classifies ring ends by (issue 21, point 3). It lives in contracts, not src/graph, because the call workflow
 * classifies its legs itself and workflows may import only contracts and pure domain code.
 *
 * Every row names the Microsoft page it comes from:
 * - call-delete.md: microsoft-graph-docs-contrib api-reference/v1.0/api/call-delete.md, "Call end reason codes";
 * - ACS codes: azure-docs communication-services/concepts/includes/codes/calling-sdk.md ("Calling SDK error codes",
 *   the codes Teams' calling stack shares with Azure Communication Services);
 * - SIP codes: SupportArticles-docs Teams/phone-system/direct-routing/microsoft-sip-response-codes*.md, which read the
 *   code as the SIP response (RFC 3261) and a subcode 560xxx as the SBC's own answer xxx;
 * - real captures: public issue threads with a notification Graph sent.
 */

/** Why a placed call ended before anyone took it, as far as the agent is concerned. */
export type RingEnd = 'busy' | 'declined' | 'notAnswered' | 'unreachable' | 'failed' | 'unknown';

/**
 * What a ring end means for the agent rung: `rest` (not offered this call again for a while, not their miss), `miss`
 * (counts toward pausing them), `notTheirs` (rested for this call too, never their miss, and logged with its code).
 */
export type AgentEffect = 'rest' | 'miss' | 'notTheirs';

export interface ResultCodeRow {
  code: number;
  /** Undefined: any subcode not matched by a more specific row. */
  subcode?: number;
  end: RingEnd;
  meaning: string;
  source: string;
}

export const RESULT_CODES: readonly ResultCodeRow[] = [
  { code: 486, end: 'busy', meaning: 'Busy Here', source: 'SIP codes (486)' },
  { code: 486, subcode: 560486, end: 'busy', meaning: 'Busy Here, from the SBC', source: 'SIP codes (560 + SIP code)' },
  { code: 600, end: 'busy', meaning: 'Busy Everywhere', source: 'SIP codes (RFC 3261, 600)' },
  {
    code: 603,
    end: 'declined',
    meaning: 'Call globally declined by remote participant',
    source: 'ACS codes (603)',
  },
  {
    code: 408,
    subcode: 10057,
    end: 'notAnswered',
    meaning: 'Call timed out due to no signaling from callee endpoints',
    source: 'call-delete.md (408/10057)',
  },
  {
    code: 408,
    subcode: 560408,
    end: 'notAnswered',
    meaning: 'SBC indicated that the user did not respond',
    source: 'SIP codes (408/560408)',
  },
  {
    code: 480,
    subcode: 10037,
    end: 'unreachable',
    meaning: 'No callee endpoints were found',
    source: 'call-delete.md (480/10037)',
  },
  {
    code: 480,
    subcode: 10076,
    end: 'unreachable',
    meaning: 'Callee could not be reached',
    source: 'call-delete.md (480/10076)',
  },
  {
    code: 480,
    subcode: 10134,
    end: 'unreachable',
    meaning: 'Call rejected due to inability to route the call',
    source: 'call-delete.md (480/10134)',
  },
  {
    code: 480,
    subcode: 10199,
    end: 'unreachable',
    meaning: 'Call rejected as private calling is disabled for the user',
    source: 'call-delete.md (480/10199)',
  },
  { code: 480, end: 'unreachable', meaning: 'Remote client endpoint not registered', source: 'ACS codes (480)' },
  {
    code: 408,
    subcode: 8544,
    end: 'unreachable',
    meaning: 'Callee could not be reached',
    source: 'real capture: MicrosoftDocs/msteams-docs#9159',
  },
  {
    code: 400,
    subcode: 8541,
    end: 'unreachable',
    meaning: 'Callee only had Trouter endpoints registered and PNH got delivery errors from all of them',
    source: 'real capture: microsoftgraph/microsoft-graph-comms-samples#343',
  },
  {
    code: 408,
    subcode: 1106,
    end: 'failed',
    meaning: 'An acknowledgement was not received for the call acceptance in the allotted time',
    source: 'call-delete.md (408/1106)',
  },
  {
    code: 408,
    subcode: 8537,
    end: 'failed',
    meaning: 'Keep Alive timeout, cleaned up inactive call',
    source: 'call-delete.md (408/8537)',
  },
  {
    code: 410,
    subcode: 301005,
    end: 'failed',
    meaning: 'Media connectivity failure',
    source: 'call-delete.md (410/301005)',
  },
  {
    code: 500,
    subcode: 1005,
    end: 'failed',
    meaning: "Server encountered connectivity error with Bot's media",
    source: 'call-delete.md (500/1005)',
  },
];

const EFFECT: Record<RingEnd, AgentEffect> = {
  busy: 'rest',
  declined: 'miss',
  notAnswered: 'miss',
  unreachable: 'notTheirs',
  failed: 'notTheirs',
  unknown: 'notTheirs',
};

export interface RingEndReading {
  end: RingEnd;
  effect: AgentEffect;
  /** The code and subcode as Graph sent them (none: no resultInfo came). */
  code?: number;
  subcode?: number;
  row?: ResultCodeRow;
}

/** Classify a resultInfo: its exact code/subcode row, else its code's catch-all row, else unknown. */
export function classifyRingEnd(resultInfo: { code: number; subcode: number } | undefined): RingEndReading {
  if (!resultInfo) return { end: 'unknown', effect: EFFECT.unknown };
  const { code, subcode } = resultInfo;
  const row =
    RESULT_CODES.find((r) => r.code === code && r.subcode === subcode) ??
    RESULT_CODES.find((r) => r.code === code && r.subcode === undefined);
  const end = row?.end ?? 'unknown';
  return { end, effect: EFFECT[end], code, subcode, ...(row ? { row } : {}) };
}
