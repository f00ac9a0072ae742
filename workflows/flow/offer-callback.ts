import { callPatched } from '../call-patches.js';
import { flowFor } from '../../flows/flows.js';
import { normalisePhoneNumber, phoneCountry, readPhoneNumber } from '../../src/phone/number.js';
import { PHONE_NUMBERS_PATCH } from '../patches.js';
import type { CallbackOffer, CallbackResult, QueueOptions } from './api.js';
import type { CallContext } from './context.js';

/** The offer's prompts where a flow names none. `flows validate` reads them from this file, to check they exist. */
export const DEFAULT_CALLBACK_OFFER: CallbackOffer = {
  prompt: 'callback-offer.wav',
  confirmPrompt: 'callback-confirm.wav',
  enterNumberPrompt: 'callback-enter-number.wav',
  invalidNumberPrompt: 'callback-invalid-number.wav',
  acceptedPrompt: 'callback-accepted.wav',
};

/** E.164: '+', country code, up to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;
/** Tries at entering a number before the offer is withdrawn. */
const NUMBER_TRIES = 3;

/** The offerCallback verb, on the timeline as `verb:offerCallback`. */
export function offerCallbackVerb(ctx: CallContext, offer: CallbackOffer): Promise<CallbackResult> {
  return ctx.verb('offerCallback', { prompt: offer.prompt }, () => offerCallback(ctx, offer));
}

/**
 * The callback dialog: "press 1 to be called back". The caller confirms the number they call from (a phone caller)
 * or enters one (digits then #): a national number is read in the country of the line dialled (the flow's `country`),
 * else of the caller's own number; with a country code it starts with 00 or 011 (a keypad has no '+'). An invalid
 * number (libphonenumber's max metadata: a wrong digit is caught, not only a wrong length) or a premium-rate one is
 * re-prompted, up to three tries.
 */
async function offerCallback(ctx: CallContext, offer: CallbackOffer): Promise<CallbackResult> {
  const o = { ...DEFAULT_CALLBACK_OFFER, ...offer };
  const accept = o.acceptKey ?? '1';
  const first = await ctx.steps.gather({ prompt: o.prompt, maxDigits: 1, terminator: null, timeoutSeconds: 5 });
  if (first.status === 'hungUp') return { accepted: false, reason: 'hungUp' };
  if (first.status === 'noInput') return { accepted: false, reason: 'noInput' };
  if (first.digits !== accept) return { accepted: false, reason: 'declined' };

  let number: string | undefined;
  const own = callerNumber(ctx);
  if (own && o.confirmPrompt !== undefined) {
    const confirm = await ctx.steps.gather({
      prompt: o.confirmPrompt,
      maxDigits: 1,
      terminator: null,
      timeoutSeconds: 5,
    });
    if (confirm.status === 'hungUp') return { accepted: false, reason: 'hungUp' };
    if (confirm.status === 'digits' && confirm.digits === '1') number = own;
  }
  for (let tries = 0; number === undefined && tries < NUMBER_TRIES; tries++) {
    const entered = await ctx.steps.gather({
      prompt: o.enterNumberPrompt ?? 'callback-enter-number.wav',
      maxDigits: 16,
      terminator: '#',
      timeoutSeconds: 10,
      interDigitSeconds: 5,
    });
    if (entered.status === 'hungUp') return { accepted: false, reason: 'hungUp' };
    const candidate = entered.status === 'digits' ? keyedNumber(ctx, entered.digits, own) : undefined;
    if (candidate) number = candidate;
    else {
      // How many keys, not which: a mistyped number is still (most of) someone's number.
      ctx.recorder.event('callbackInvalidNumber', { keys: entered.status === 'digits' ? entered.digits.length : 0 });
      if (tries < NUMBER_TRIES - 1 && o.invalidNumberPrompt !== undefined)
        await ctx.session.play(ctx.promptUris(o.invalidNumberPrompt), 'callback-invalid');
    }
  }
  if (number === undefined) return { accepted: false, reason: 'invalidNumber' };
  if (o.acceptedPrompt !== undefined) await ctx.session.play(ctx.promptUris(o.acceptedPrompt), 'callback-accepted');
  return { accepted: true, number };
}

/**
 * Keypad digits → E.164 by libphonenumber-js (src/phone/number.ts), in the line's country. Calls that started before
 * PHONE_NUMBERS_PATCH keep the old reading, so their history replays: whether a number is taken decides which prompt
 * plays next.
 */
function keyedNumber(ctx: CallContext, digits: string, callerNumber: string | undefined): string | undefined {
  if (!callPatched(PHONE_NUMBERS_PATCH)) return legacyToE164(digits, callerNumber);
  const region = lineCountry(ctx) ?? ctx.phoneRegion ?? (callerNumber ? phoneCountry(callerNumber) : undefined);
  const read = readPhoneNumber(digits, region);
  return 'e164' in read ? read.e164 : undefined;
}

/**
 * The caller's own number, to confirm: Graph's phone identity read by libphonenumber (with or without its '+'), or
 * before PHONE_NUMBERS_PATCH only one already in E.164.
 */
function callerNumber(ctx: CallContext): string | undefined {
  if (ctx.from.kind !== 'phone') return undefined;
  if (!callPatched(PHONE_NUMBERS_PATCH)) return E164.test(ctx.from.id) ? ctx.from.id : undefined;
  return normalisePhoneNumber(ctx.from.id);
}

/** The country of the line dialled: the flow's for that resource account, if it names one (else PHONE_REGION's). */
function lineCountry(ctx: CallContext): string | undefined {
  return flowFor(ctx.incoming.to.applicationInstanceId).country;
}

/**
 * Before PHONE_NUMBERS_PATCH: '*' can't be typed as '+', so a number with its country code starts with 00 or is long;
 * a national number only for a +1 caller. Kept for replay only.
 */
function legacyToE164(digits: string, callerNumber: string | undefined): string | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  let candidate: string;
  if (digits.startsWith('00')) candidate = `+${digits.slice(2)}`;
  else if (digits.length > 10) candidate = `+${digits}`;
  else {
    // A national number: the caller's own country code, when we know it (only +1 is derived: NANP numbers are 10 digits).
    if (!callerNumber?.startsWith('+1') || digits.length !== 10) return undefined;
    candidate = `+1${digits}`;
  }
  return E164.test(candidate) ? candidate : undefined;
}

/**
 * In a queue: offer the callback; when taken, the caller hangs up and keeps their place. Returns the number to call
 * back, or undefined when the caller stays on hold.
 */
export async function takeCallback(
  ctx: CallContext,
  queue: string,
  options: QueueOptions,
): Promise<{ number: string } | undefined> {
  if (!ctx.incoming.to.applicationInstanceId || !ctx.incoming.tenantId) {
    // A callback is placed from the resource account that was dialled: without one, don't promise what can't be done.
    ctx.recorder.event('callbackUnavailable', {
      queue,
      reason: 'the call did not come in through a resource account of a known tenant',
    });
    return undefined;
  }
  const result = await ctx.call.offerCallback(options.callbackOffer ?? DEFAULT_CALLBACK_OFFER);
  if (!result.accepted) return undefined;
  ctx.recorder.event('callbackRequested', { queue, number: result.number });
  return { number: result.number };
}
