/** What a flow test is started and called with, and what it keeps. */
import type { Lookup } from '../../activities/lookups.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import type { ScheduleDefinition, ScheduleException } from '../../src/schedules/types.js';
import type { RunHistory } from '../../src/temporal/history-check.js';
import type { LocalTime } from './clock.js';

/** The tenant simulated calls come from (Graph puts the tenant id on every incoming call). */
export const FLOW_TEST_TENANT = '00000000-0000-4000-8000-0000000f1075';

export type AgentBehaviour = 'accept' | 'decline' | 'ignore';

/** A flow test's workflow histories, kept past its server's end, and the flows module its worker ran last. */
export interface FlowTestHistories {
  runs: RunHistory[];
  flows: string | undefined;
}

export interface FlowTestOptions {
  /**
   * What agents do when offered a call: accept (default), decline or ignore it, per agent id or for all.
   * 'busy': every agent is signed in but on someone else's call for the whole test, so callers wait the queue's
   * full time. 'signedOut' signs nobody in, so queues have no agents.
   */
  agents?: AgentBehaviour | 'busy' | 'signedOut' | Record<string, AgentBehaviour>;
  /** Lookups to use instead of flows/lookups.ts (a CRM that is down, a customer who is a VIP…). */
  lookups?: Record<string, Lookup>;
  /** Holidays and special dates added at run time, as admins would through the API. */
  scheduleExceptions?: Record<string, ScheduleException[]>;
  schedules?: Record<string, ScheduleDefinition>;
  queues?: Record<string, QueueConfig>;
  /** PHONE_REGION as the webhook passes it: where keyed numbers are read when the line names no country. */
  phoneRegion?: string;
  /** Base URL the prompts appear under in Graph requests. */
  promptBaseUrl?: string;
  /**
   * A module to run instead of flows/flows.ts (same exports: `callFlows`, `flowFor`): to test a flow change before
   * it replaces the real one, and with `deploy`, what it does to calls already in progress.
   */
  flows?: string;
  /**
   * 'time-skipping' (default): waits are skipped. 'dev': Temporal's dev server in real time, for tests that stop
   * and replace the worker (`deploy`), which the time-skipping server can't follow: it keeps a stopped worker's
   * next task, and so its clock, waiting.
   */
  server?: 'time-skipping' | 'dev';
  /**
   * Activities to run instead of some of the worker's own, by name, given the worker's own (to call through): a
   * failure to inject, or a spy on what the workflows asked.
   */
  activities?: (own: Readonly<Record<string, ActivityFunction>>) => Record<string, ActivityFunction>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take and return whatever they declare
export type ActivityFunction = (...args: any[]) => Promise<any>;

export interface CallOptions {
  /** The resource account (applicationInstance id) dialled; selects the flow. */
  dial: string;
  /** A phone number (E.164) or a Teams user `{ user: id, name? }`. Default: a phone number. */
  from?: string | { user: string; name?: string };
  /**
   * When the call arrives: a later instant, or the next local weekday/date and time (in the main office's time zone
   * unless given). The test server's clock only moves forward. Default: now.
   */
  at?: Date | LocalTime;
}
