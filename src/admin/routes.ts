import type { Role } from './identity.js';
import { z } from 'zod';
import * as s from './schemas.js';
import { superviseBody, superviseResponse } from './supervise-schemas.js';
import { transferBody, transferResponse } from './transfer-schemas.js';

/** Every admin route once: the router wires handlers to these, and the OpenAPI document is generated from them. */
export interface RouteSpec {
  method: 'get' | 'put' | 'post' | 'delete';
  path: string; // OpenAPI style: /calls/{id}
  summary: string;
  roles: Role[];
  params?: z.AnyZodObject;
  query?: z.AnyZodObject;
  body?: z.ZodTypeAny;
  response: z.ZodTypeAny;
}

const all: Role[] = ['Switchboard.Admin', 'Switchboard.Supervisor', 'Switchboard.Agent'];
const readers: Role[] = ['Switchboard.Admin', 'Switchboard.Supervisor'];
const admins: Role[] = ['Switchboard.Admin'];

export const routes = {
  me: { method: 'get', path: '/me', summary: 'Who the token says you are', roles: all, response: s.caller },
  listCalls: {
    method: 'get',
    path: '/calls',
    summary: 'Search calls (newest first)',
    roles: readers,
    query: s.callsQuery,
    response: s.page(s.callSummary),
  },
  getCall: {
    method: 'get',
    path: '/calls/{id}',
    summary: "A call's record and timeline",
    roles: readers,
    params: s.callIdParam,
    response: s.callDetail,
  },
  putCallWrapUp: {
    method: 'put',
    path: '/calls/{id}/wrap-up',
    summary:
      "Give a call its wrap-up code (an active code of the call's queue) and a short note; saving again replaces it (agents: calls they took only; audited)",
    roles: all,
    params: s.callIdParam,
    body: s.callWrapUpBody,
    response: s.callWrapUp,
  },
  superviseCall: {
    method: 'post',
    path: '/calls/{id}/supervise',
    summary:
      'Join a live call put through by conference: barge (heard by all) or monitor (muted); the others see you in the roster (supervisors; audited)',
    roles: readers,
    params: s.callIdParam,
    body: superviseBody,
    response: superviseResponse,
  },
  transferCall: {
    method: 'post',
    path: '/calls/{id}/transfer',
    summary:
      'Send the caller to another queue or a colleague, warm (you stay until the next agent is in) or blind; calls put through by conference only (agents: calls they are on; audited)',
    roles: all,
    params: s.callIdParam,
    body: transferBody,
    response: transferResponse,
  },
  agentState: {
    method: 'get',
    path: '/agents/{id}/state',
    summary: "An agent's current state (agents: their own only)",
    roles: all,
    params: s.agentIdParam,
    response: s.agentState,
  },
  setAvailability: {
    method: 'put',
    path: '/agents/{id}/availability',
    summary:
      'Back to available (ends a pause after missed offers), away, or signed out; asked during an offer or a call, away or signed out is applied when it and its wrap-up end (GET …/state shows it as pendingAvailability) and available takes such a request back (agents: themselves only; audited)',
    roles: all,
    params: s.agentIdParam,
    body: s.availabilityBody,
    response: s.availabilityChange,
  },
  extendWrapUp: {
    method: 'post',
    path: '/agents/{id}/wrap-up/extend',
    summary: "Make the agent's current wrap-up last longer; 409 unless in wrap-up (agents: themselves only; audited)",
    roles: all,
    params: s.agentIdParam,
    body: s.extendWrapUpBody,
    response: s.wrapUpExtension,
  },
  listWrapUpCodes: {
    method: 'get',
    path: '/wrap-up-codes',
    summary: 'Wrap-up codes',
    roles: all,
    response: z.array(s.wrapUpCode),
  },
  putWrapUpCode: {
    method: 'put',
    path: '/wrap-up-codes/{code}',
    summary: 'Create or change a wrap-up code',
    roles: admins,
    params: s.wrapUpCodeParam,
    body: s.wrapUpCodeBody,
    response: s.wrapUpCode,
  },
  deleteWrapUpCode: {
    method: 'delete',
    path: '/wrap-up-codes/{code}',
    summary: 'Delete a wrap-up code',
    roles: admins,
    params: s.wrapUpCodeParam,
    response: s.wrapUpCode,
  },
  recordingLink: {
    method: 'post',
    path: '/recordings/{id}/link',
    summary: 'A time-limited link to one recording (audited)',
    roles: readers,
    params: s.recordingIdParam,
    response: s.recordingLink,
  },
  listAudit: {
    method: 'get',
    path: '/audit',
    summary: 'Audit entries (newest first)',
    roles: readers,
    query: s.auditQuery,
    response: s.page(s.auditEntry),
  },

  listQueues: {
    method: 'get',
    path: '/queues',
    summary: 'Queues (from flows/) with their members and whether each takes calls now',
    roles: all,
    query: s.nameListQuery,
    response: s.page(s.queueSummary),
  },
  getQueueSettings: {
    method: 'get',
    path: '/queues/{queue}/settings',
    summary:
      "A queue's analytics settings (threshold, short abandons, service-level formula, time zone) and their history",
    roles: readers,
    params: s.queueParam,
    response: s.queueSettings,
  },
  putQueueSettings: {
    method: 'put',
    path: '/queues/{queue}/settings',
    summary:
      "Change a queue's analytics settings; calls queued from now on are graded by them, earlier ones keep theirs (audited)",
    roles: admins,
    params: s.queueParam,
    body: s.queueSettingsBody,
    response: s.queueSettings,
  },
  optIn: {
    method: 'put',
    path: '/queues/{queue}/members/{agentId}',
    summary: 'Opt an agent in to a queue (agents: themselves only; supervisors: agents the queue lists; audited)',
    roles: all,
    params: s.queueMemberParam,
    response: s.membershipChange,
  },
  optOut: {
    method: 'delete',
    path: '/queues/{queue}/members/{agentId}',
    summary: 'Opt an agent out of a queue (agents: themselves only; audited)',
    roles: all,
    params: s.queueMemberParam,
    response: s.membershipChange,
  },

  listSchedules: {
    method: 'get',
    path: '/schedules',
    summary: 'Business-hours schedules with their status now',
    roles: all,
    query: s.nameListQuery,
    response: s.page(s.scheduleSummary),
  },
  getSchedule: {
    method: 'get',
    path: '/schedules/{schedule}',
    summary: 'A schedule: hours, holidays, special dates, run-time exceptions and status now',
    roles: all,
    params: s.scheduleParam,
    response: s.scheduleDetail,
  },
  putScheduleException: {
    method: 'put',
    path: '/schedules/{schedule}/exceptions/{date}',
    summary: "Add or replace a holiday or special date (wins over the schedule's own for that date; audited)",
    roles: admins,
    params: s.scheduleExceptionParam,
    body: s.scheduleExceptionBody,
    response: s.scheduleExceptionView,
  },
  deleteScheduleException: {
    method: 'delete',
    path: '/schedules/{schedule}/exceptions/{date}',
    summary: 'Remove a holiday or special date added at run time (audited)',
    roles: admins,
    params: s.scheduleExceptionParam,
    response: s.scheduleExceptionView,
  },

  listVoicemailBoxes: {
    method: 'get',
    path: '/voicemail-boxes',
    summary: 'Voicemail boxes (from flows/) with message counts',
    roles: readers,
    query: s.nameListQuery,
    response: s.page(s.voicemailBoxSummary),
  },
  listVoicemails: {
    method: 'get',
    path: '/voicemail-boxes/{box}/messages',
    summary: "A box's messages (newest first), each with a signed recording link (audited)",
    roles: readers,
    params: s.voicemailBoxParam,
    query: s.pageQuery.strict(),
    response: s.page(s.voicemailMessage),
  },
} satisfies Record<string, RouteSpec>;
