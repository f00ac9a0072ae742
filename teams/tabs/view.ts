/** Small DOM helpers: elements are built, never parsed from strings, so nothing a flow or a name holds can run. */
import { Updates } from '@microsoft/fast-element';

type Child = Node | string | null | undefined | false;

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K];
/** Fluent UI's web components (fluent.ts defines them). */
export function h(tag: `fluent-${string}`, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/**
 * A Fluent button. Its role lives in the component's ElementInternals, which axe-core and Playwright's role engine do
 * not read: the host also carries role="button" (and aria-pressed for a toggle), the same semantics said twice.
 */
export function button(label: string, attrs: Attrs & { onclick: (e: Event) => void }): HTMLElement {
  return h('fluent-button', { role: 'button', ...attrs }, label);
}

/**
 * A Fluent toggle button: pressed while the thing it toggles is on (an agent in a queue). What the server says is
 * the truth: the component flips itself on click, so it is set back at once, and the redraw after the action (or no
 * redraw, when a dialog is cancelled) shows what is.
 */
export function toggleButton(
  label: string,
  pressed: boolean,
  attrs: Attrs & { onclick: (e: Event) => void },
): HTMLElement {
  const el = h(
    'fluent-toggle-button',
    { role: 'button', pressed, 'aria-pressed': pressed ? 'true' : 'false', ...attrs },
    label,
  );
  el.addEventListener('click', () => queueMicrotask(() => el.toggleAttribute('pressed', pressed)));
  return el;
}

/** A Fluent message bar for what went wrong (the admin API's refusal), read out at once. */
export function problem(text: string): HTMLElement {
  return h('fluent-message-bar', { intent: 'error', layout: 'multiline', role: 'alert', class: 'problem' }, text);
}

/** "4 min 05 s" since an ISO time, for time in state and the longest wait. */
export function since(iso: string | null, now = Date.now()): string {
  if (!iso) return '–';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const STATE_LABELS: Record<string, string> = {
  available: 'Available',
  reserved: 'Ringing',
  onCall: 'On a call',
  wrapUp: 'Wrap-up',
  away: 'Away',
  paused: 'Paused after missed calls',
  signedOut: 'Signed out',
};

export function stateLabel(state: string): string {
  return STATE_LABELS[state] ?? state;
}

/** The link to the live stream, shown so a viewer knows whether what they see is current. */
export function linkBanner(state: string, detail?: string): HTMLElement {
  const text = state === 'live' ? 'Live' : state === 'signed-out' ? `Signed out: ${detail ?? ''}` : 'Reconnecting…';
  return h('p', { class: `link link-${state}`, role: 'status' }, text);
}

/** A time that counts up by itself (see tickTimes): time in state, the longest wait. */
export function elapsed(iso: string | null): HTMLElement {
  return h('span', iso ? { 'data-since': iso } : {}, since(iso));
}

/** Counts every elapsed time up once a second without re-drawing the page (focus and screen readers stay put). */
export function tickTimes(): void {
  setInterval(() => {
    for (const el of document.querySelectorAll<HTMLElement>('[data-since]'))
      el.textContent = since(el.dataset['since']!);
  }, 1000);
}

/** Replaces the page's content, keeping keyboard focus on the control (by its data-key) that had it. */
export function render(root: HTMLElement, ...children: Child[]): void {
  const active = document.activeElement as HTMLElement | null;
  // The keyed control, or the Fluent component whose inner part has focus (a dropdown's combobox).
  const focused = active?.closest<HTMLElement>('[data-key]')?.dataset['key'];
  // A field being typed in keeps its caret too (the live stream redraws the page while the agent writes a note).
  const field = textControl(active);
  const caret = field ? [field.selectionStart, field.selectionEnd] : undefined;
  root.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
  root.setAttribute('aria-busy', 'false');
  if (!focused) return;
  const restore = (): boolean => {
    const target = focusTarget(root.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`));
    if (!target) return false;
    target.focus();
    const nextField = textControl(target);
    if (caret && nextField) nextField.setSelectionRange(caret[0] ?? null, caret[1] ?? null);
    return true;
  };
  // A new Fluent dropdown inserts its combobox on the components' next update, not at once.
  if (!restore()) void Updates.next().then(restore);
}

/** What takes focus for a keyed control: itself, or the combobox a Fluent dropdown puts in its control slot. */
export function focusTarget(el: HTMLElement | null): HTMLElement | null {
  if (!el?.matches('fluent-dropdown')) return el;
  return el.querySelector<HTMLElement>(':scope > [slot="control"]');
}

/** The text box a control types into: itself, or the one inside a Fluent text area's (open) shadow root. */
function textControl(el: Element | null | undefined): HTMLTextAreaElement | HTMLInputElement | undefined {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return el;
  return el?.shadowRoot?.querySelector<HTMLTextAreaElement | HTMLInputElement>('textarea, input') ?? undefined;
}

/**
 * A titled section holding one table: every list on both tabs is one, so they read alike to a screen reader (the
 * heading labels the section; `empty` stands in for the table when there are no rows).
 */
export function tableSection(
  id: string,
  title: string,
  columns: string[],
  rows: HTMLElement[],
  empty?: string,
): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': id },
    h('h2', { id }, title),
    rows.length === 0 && empty
      ? h('p', {}, empty)
      : h('table', {}, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))), h('tbody', {}, ...rows)),
  );
}
