/**
 * Bodies of the media operations: playPrompt, cancelMediaProcessing, recordResponse and subscribeToTone
 * (call-playprompt.md, call-cancelmediaprocessing.md, call-record.md, call-subscribetotone.md).
 */
import { badRequest } from '../graph-error.js';
import {
  checkClientContext,
  checkMediaInfo,
  isObject,
  odataTypeIs,
  requireBody,
  type Json,
  type MediaRef,
} from './common.js';

const MAX_PROMPTS = 20;
const DTMF = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];

export interface PlayPromptRequest {
  prompts: MediaRef[];
  clientContext?: string;
}

export function validatePlayPrompt(raw: unknown): PlayPromptRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const prompts = body['prompts'];
  if (prompts === undefined || prompts === null) throw badRequest("Missing required property 'prompts'.");
  if (!Array.isArray(prompts)) throw badRequest("Invalid value for 'prompts': an array is required.");
  if (prompts.length === 0) throw badRequest("Invalid value for 'prompts': at least one prompt is required.");
  if (prompts.length > MAX_PROMPTS)
    throw badRequest(
      `Invalid value for 'prompts': ${prompts.length} prompts, the maximum supported collection size is ${MAX_PROMPTS}.`,
    );
  const refs = prompts.map((p, i) => {
    if (!isObject(p)) throw badRequest(`Invalid value for 'prompts[${i}]': a mediaPrompt object is required.`);
    if (!odataTypeIs(p['@odata.type'], 'microsoft.graph.mediaPrompt')) {
      throw badRequest(`Invalid value for 'prompts[${i}].@odata.type': expected '#microsoft.graph.mediaPrompt'.`);
    }
    return checkMediaInfo(p['mediaInfo'], `prompts[${i}].mediaInfo`);
  });
  return { prompts: refs, ...(clientContext !== undefined ? { clientContext } : {}) };
}

export function validateCancelMediaProcessing(raw: unknown): { clientContext?: string } {
  const body = raw === undefined || raw === null ? {} : requireBody(raw);
  const clientContext = checkClientContext(body);
  return clientContext !== undefined ? { clientContext } : {};
}

export interface RecordRequest {
  prompts: MediaRef[];
  bargeInAllowed: boolean;
  initialSilenceTimeoutInSeconds: number;
  maxSilenceTimeoutInSeconds: number;
  maxRecordDurationInSeconds: number;
  playBeep: boolean;
  stopTones: string[];
  clientContext?: string;
}

function checkSeconds(body: Json, property: string): number {
  const v = body[property];
  if (v === undefined || v === null) return 5;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 120) {
    throw badRequest(`Invalid value '${String(v)}' for '${property}': an integer from 1 to 120 is required.`);
  }
  return v as number;
}

function checkBool(body: Json, property: string, dflt: boolean): boolean {
  const v = body[property];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for '${property}': a boolean is required.`);
  return v;
}

export function validateRecordResponse(raw: unknown): RecordRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const prompts = body['prompts'];
  let refs: MediaRef[] = [];
  if (prompts !== undefined && prompts !== null) {
    if (!Array.isArray(prompts)) throw badRequest("Invalid value for 'prompts': an array is required.");
    if (prompts.length > 1)
      throw badRequest(
        `Invalid value for 'prompts': ${prompts.length} prompts, the maximum supported collection size is 1.`,
      );
    refs = prompts.map((p, i) => {
      if (!isObject(p) || !odataTypeIs(p['@odata.type'], 'microsoft.graph.mediaPrompt')) {
        throw badRequest(`Invalid value for 'prompts[${i}]': a '#microsoft.graph.mediaPrompt' is required.`);
      }
      return checkMediaInfo(p['mediaInfo'], `prompts[${i}].mediaInfo`);
    });
  }
  const stopTones = body['stopTones'];
  let tones: string[] = [];
  if (stopTones !== undefined && stopTones !== null) {
    if (!Array.isArray(stopTones)) throw badRequest("Invalid value for 'stopTones': an array of strings is required.");
    for (const t of stopTones) {
      if (typeof t !== 'string' || !DTMF.includes(t.toUpperCase()))
        throw badRequest(`Invalid value '${String(t)}' for 'stopTones': each tone is one of 0-9, *, #, A-D.`);
    }
    tones = (stopTones as string[]).map((t) => t.toUpperCase());
  }
  return {
    prompts: refs,
    bargeInAllowed: checkBool(body, 'bargeInAllowed', false),
    initialSilenceTimeoutInSeconds: checkSeconds(body, 'initialSilenceTimeoutInSeconds'),
    maxSilenceTimeoutInSeconds: checkSeconds(body, 'maxSilenceTimeoutInSeconds'),
    maxRecordDurationInSeconds: checkSeconds(body, 'maxRecordDurationInSeconds'),
    playBeep: checkBool(body, 'playBeep', true),
    stopTones: tones,
    ...(clientContext !== undefined ? { clientContext } : {}),
  };
}

export function validateSubscribeToTone(raw: unknown): { clientContext?: string } {
  return validateCancelMediaProcessing(raw);
}
