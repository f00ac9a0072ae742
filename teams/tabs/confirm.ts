/**
 * A Fluent dialog that asks before an action that changes who gets calls. It lives outside the page's #app, which
 * the live stream redraws, so it stays open while the floor changes underneath; focus goes back to the control that
 * opened it (found again by its data-key, as the redraw may have replaced it). It is named by aria-label: the
 * native <dialog> sits in the component's shadow root, where an aria-labelledby id in the page does not reach.
 */
import { h } from './view.js';

interface FluentDialog extends HTMLElement {
  show(): void;
  hide(): void;
}

export function confirmAction(title: string, detail: string, confirmLabel: string): Promise<boolean> {
  const opener = (document.activeElement as HTMLElement | null)?.dataset['key'];
  return new Promise((resolve) => {
    let answer = false;
    const close = (yes: boolean) => {
      answer = yes;
      dialog.hide();
    };
    const dialog = h(
      'fluent-dialog',
      { type: 'modal', 'aria-label': title },
      h(
        'fluent-dialog-body',
        {},
        h('h2', { slot: 'title' }, title),
        h('p', {}, detail),
        h('fluent-button', { slot: 'action', role: 'button', autofocus: true, onclick: () => close(false) }, 'Cancel'),
        h(
          'fluent-button',
          { slot: 'action', role: 'button', appearance: 'primary', onclick: () => close(true) },
          confirmLabel,
        ),
      ),
    ) as FluentDialog;
    // Closed by a button, by Escape or by a click outside: the dialog reports it with a toggle event.
    dialog.addEventListener('toggle', (e) => {
      if ((e as unknown as CustomEvent<{ newState?: string } | undefined>).detail?.newState !== 'closed') return;
      dialog.remove();
      if (opener) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(opener)}"]`)?.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.show();
  });
}
