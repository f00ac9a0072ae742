import type { Role } from './identity.js';
import { z } from 'zod';
import * as s from './schemas.js';

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
  listCalls: { method: 'get', path: '/calls', summary: 'Search calls (newest first)', roles: readers, query: s.callsQuery, response: s.page(s.callSummary) },
  getCall: { method: 'get', path: '/calls/{id}', summary: "A call's record and timeline", roles: readers, params: s.callIdParam, response: s.callDetail },
  agentState: { method: 'get', path: '/agents/{id}/state', summary: "An agent's current state (agents: their own only)", roles: all, params: s.agentIdParam, response: s.agentState },
  listWrapUpCodes: { method: 'get', path: '/wrap-up-codes', summary: 'Wrap-up codes', roles: all, response: z.array(s.wrapUpCode) },
  putWrapUpCode: { method: 'put', path: '/wrap-up-codes/{code}', summary: 'Create or change a wrap-up code', roles: admins, params: s.wrapUpCodeParam, body: s.wrapUpCodeBody, response: s.wrapUpCode },
  deleteWrapUpCode: { method: 'delete', path: '/wrap-up-codes/{code}', summary: 'Delete a wrap-up code', roles: admins, params: s.wrapUpCodeParam, response: s.wrapUpCode },
  recordingLink: { method: 'post', path: '/recordings/{id}/link', summary: 'A time-limited link to one recording (audited)', roles: readers, params: s.recordingIdParam, response: s.recordingLink },
  listAudit: { method: 'get', path: '/audit', summary: 'Audit entries (newest first)', roles: readers, query: s.auditQuery, response: s.page(s.auditEntry) },
} satisfies Record<string, RouteSpec>;
