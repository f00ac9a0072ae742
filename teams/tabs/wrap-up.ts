/**
 * The agent's wrap-up of a call: a code from the call's queue's list, a short note, Save, and "Extend wrap-up"
 * (+60 s). Shown in wrap-up and after it until saved, as the call is what the agent is still writing about. The page
 * is redrawn on every live change, so what the agent picked and typed lives here, not in the form's elements.
 */
import { extendWrapUp, saveWrapUp } from './admin-api.js';
import type { CallCard, FloorView } from './live.js';
import { Updates } from '@microsoft/fast-element';
import { button, focusTarget, h } from './view.js';

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
          codeField(p),
          noteField(p),
          h(
            'fluent-button',
            { type: 'submit', role: 'button', appearance: 'primary', 'data-key': 'wrap-up-save' },
            p.saved ? 'Save again' : 'Save',
          ),
        ),
    state === 'wrapUp'
      ? button(`Extend wrap-up (+${EXTEND_SECONDS} s)`, { 'data-key': 'wrap-up-extend', onclick: () => void extend() })
      : null,
    h('p', { role: 'status', 'data-testid': 'wrap-up-status' }, message),
  );
}

/** The queue's codes in a Fluent dropdown (a combobox listing options), labelled through its Fluent field. */
function codeField(p: Pending): HTMLElement {
  const dropdown = h(
    'fluent-dropdown',
    {
      slot: 'input',
      id: 'wrap-up-code',
      'data-key': 'wrap-up-code',
      'aria-labelledby': 'wrap-up-code-label',
      onchange: (e) => (p.code = (e.currentTarget as HTMLElement & { value: string | null }).value ?? p.code),
    },
    h(
      'fluent-listbox',
      {},
      ...p.codes.map((c) => h('fluent-option', { value: c.code, selected: c.code === p.code }, c.label)),
    ),
  );
  // Closed, said so: the combobox it inserts binds aria-expanded to `open`, which is unset until first opened (and
  // ARIA requires aria-expanded on a combobox). That combobox reads its own text (the picked code) as its name: it
  // is given the label's.
  (dropdown as HTMLElement & { open: boolean }).open = false;
  void Updates.next().then(() => focusTarget(dropdown)?.setAttribute('aria-labelledby', 'wrap-up-code-label'));
  return h(
    'fluent-field',
    {},
    h('label', { slot: 'label', for: 'wrap-up-code', id: 'wrap-up-code-label' }, 'Wrap-up code'),
    dropdown,
  );
}

function noteField(p: Pending): HTMLElement {
  // Labelled through its own label slot: that is the <label> of the <textarea> in its shadow root (a Fluent field's
  // label would name the host only, and leave the text box itself without a name).
  const note = h(
    'fluent-textarea',
    {
      id: 'wrap-up-note',
      'data-key': 'wrap-up-note',
      maxlength: String(NOTE_MAX),
      resize: 'vertical',
      oninput: (e) => (p.note = (e.currentTarget as HTMLElement & { value: string }).value),
    },
    h('span', { slot: 'label' }, `Note (optional, up to ${NOTE_MAX} characters)`),
  ) as HTMLElement & { value: string };
  note.value = p.note;
  return note;
}
