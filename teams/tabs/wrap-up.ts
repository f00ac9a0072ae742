/**
 * The agent's wrap-up of a call: a code from the call's queue's list, a short note, Save, and "Extend wrap-up"
 * (+60 s). Shown in wrap-up and after it until saved, as the call is what the agent is still writing about. The page
 * is redrawn on every live change, so what the agent picked and typed lives here, not in the form's elements.
 */
import { extendWrapUp, saveWrapUp } from './admin-api.js';
import type { CallCard, FloorView } from './live.js';
import { h } from './view.js';

export const EXTEND_SECONDS = 60;
const NOTE_MAX = 500;

interface Pending {
  call: CallCard;
  codes: { code: string; label: string }[];
  code: string;
  note: string;
  /** The code last saved for this call, if any. */
  saved?: string;
}

let pending: Pending | undefined;
let message = '';

/** Follows the floor: a call entering wrap-up becomes the one to wrap up; a saved one goes once wrap-up is over. */
export function followWrapUp(me: FloorView['me']): void {
  const call = me?.call;
  if (me?.state === 'wrapUp' && call && pending?.call.callId !== call.callId) {
    pending = { call, codes: me.wrapUpCodes, code: me.wrapUpCodes[0]?.code ?? '', note: '' };
    message = '';
  } else if (pending?.saved && !(me?.state === 'wrapUp' && call?.callId === pending.call.callId)) {
    pending = undefined;
  }
}

/** The wrap-up section, or null when there is no call to wrap up; `redraw` after each action. */
export function wrapUpSection(
  token: string,
  agentId: string,
  state: string | undefined,
  redraw: () => void,
): HTMLElement | null {
  const p = pending;
  if (!p) return null;
  const act = async (action: () => Promise<string>) => {
    try {
      message = await action();
    } catch (err) {
      message = `Not done: ${(err as Error).message}`;
    }
    redraw();
  };
  const save = () =>
    act(async () => {
      const r = await saveWrapUp(token, p.call.callId, p.code, p.note);
      p.saved = r.code;
      return `Saved: ${p.codes.find((c) => c.code === r.code)?.label ?? r.code}`;
    });
  const extend = () =>
    act(async () => {
      const r = await extendWrapUp(token, agentId, EXTEND_SECONDS);
      return `Wrap-up extended until ${new Date(r.wrapUpUntil).toLocaleTimeString()}`;
    });
  return h(
    'section',
    { 'aria-labelledby': 'wrap-up', 'data-testid': 'wrap-up' },
    h('h2', { id: 'wrap-up' }, 'Wrap-up'),
    h('p', {}, `Call from queue ${p.call.queue ?? '–'}`),
    p.codes.length === 0
      ? h('p', {}, 'No wrap-up codes for this queue: an admin adds them.')
      : h(
          'form',
          {
            class: 'wrap-up',
            onsubmit: (e) => {
              e.preventDefault();
              void save();
            },
          },
          h('label', { for: 'wrap-up-code' }, 'Wrap-up code'),
          h(
            'select',
            {
              id: 'wrap-up-code',
              'data-key': 'wrap-up-code',
              onchange: (e) => (p.code = (e.target as HTMLSelectElement).value),
            },
            ...p.codes.map((c) => h('option', { value: c.code, selected: c.code === p.code }, c.label)),
          ),
          h('label', { for: 'wrap-up-note' }, `Note (optional, up to ${NOTE_MAX} characters)`),
          noteField(p),
          h('button', { type: 'submit', 'data-key': 'wrap-up-save' }, p.saved ? 'Save again' : 'Save'),
        ),
    state === 'wrapUp'
      ? h(
          'button',
          { type: 'button', 'data-key': 'wrap-up-extend', onclick: () => void extend() },
          `Extend wrap-up (+${EXTEND_SECONDS} s)`,
        )
      : null,
    h('p', { role: 'status', 'data-testid': 'wrap-up-status' }, message),
  );
}

function noteField(p: Pending): HTMLTextAreaElement {
  const note = h('textarea', {
    id: 'wrap-up-note',
    'data-key': 'wrap-up-note',
    maxlength: String(NOTE_MAX),
    rows: '3',
    oninput: (e) => (p.note = (e.target as HTMLTextAreaElement).value),
  });
  note.value = p.note;
  return note;
}
