/**
 * The agent's tab, "My calls": my state with time in state, available/away, my queues with opt-in/out, and each
 * queue's waiting calls; in wrap-up, a code and a note for the call (wrap-up.ts). Own data only: the stream and the
 * admin API refuse anything else for an agent.
 */
import { setAvailability, setMembership } from './admin-api.js';
import type { CallCard } from './live.js';
import { TabPage } from './tab-page.js';
import { button, elapsed, h, linkBanner, problem, render, stateLabel, tableSection, toggleButton } from './view.js';
import { followWrapUp, wrapUpSection } from './wrap-up.js';

const app = document.getElementById('app')!;
const tab = new TabPage('agent');

/** While ringing, on a call and in wrap-up: who is calling, on which line, and how they got here. */
function callCard(call: CallCard): HTMLElement {
  const facts: [string, string][] = [
    ['Caller', [call.from.name, call.from.number].filter(Boolean).join(' · ') || 'unknown'],
    ['Line dialled', call.line ?? '–'],
    ['Queue', call.queue ?? '–'],
    ['Path', call.path.join(' → ') || '–'],
    ['Tags', call.tags.join(', ') || '–'],
    ...Object.entries(call.data).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  return h(
    'section',
    { 'aria-labelledby': 'my-call', 'data-testid': 'my-call' },
    h('h2', { id: 'my-call' }, 'This call'),
    h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}

function draw(token: string): void {
  const me = tab.floor?.me;
  const agentId = tab.floor?.viewer.agentId ?? '';
  const myQueues = new Set(me?.queues ?? []);
  render(
    app,
    h('header', {}, h('h1', {}, 'My calls'), linkBanner(tab.link.state, tab.link.detail)),
    tab.problem ? problem(tab.problem) : null,
    h(
      'section',
      { 'aria-labelledby': 'my-state' },
      h('h2', { id: 'my-state' }, 'My state'),
      me
        ? h(
            'p',
            { class: 'state', 'data-state': me.state },
            h('strong', { 'data-testid': 'my-state' }, stateLabel(me.state)),
            ' for ',
            elapsed(me.since),
          )
        : h('p', {}, 'You are not an agent of any queue yet.'),
      me
        ? h(
            'div',
            { class: 'actions' },
            button('Go available', {
              appearance: 'primary',
              'data-key': 'available',
              onclick: () => void tab.act(() => setAvailability(token, agentId, 'available')),
            }),
            button('Go away', {
              'data-key': 'away',
              onclick: () => void tab.act(() => setAvailability(token, agentId, 'away')),
            }),
          )
        : null,
    ),
    me?.call ? callCard(me.call) : null,
    wrapUpSection(token, agentId, me?.state, () => draw(token)),
    tableSection(
      'my-queues',
      'My queues',
      ['Queue', 'Waiting', 'Longest wait', 'Taking calls'],
      (tab.floor?.queues ?? [])
        .filter((q) => myQueues.has(q.queue))
        .map((q) => {
          const member = tab.memberships.find((m) => m.name === q.queue)?.members.find((m) => m.agentId === agentId);
          const inQueue = member?.member ?? true;
          return h(
            'tr',
            { 'data-queue': q.queue },
            h('th', { scope: 'row' }, q.queue),
            h('td', {}, String(q.waiting)),
            h('td', {}, elapsed(q.oldestWaitingSince)),
            h(
              'td',
              {},
              toggleButton(inQueue ? `Opt out of ${q.queue}` : `Opt in to ${q.queue}`, inQueue, {
                'data-key': `member:${q.queue}`,
                onclick: () => void tab.act(() => setMembership(token, q.queue, agentId, !inQueue)),
              }),
            ),
          );
        }),
    ),
  );
}

await tab.start(
  () => draw(tab.token),
  (f) => followWrapUp(f.me),
);
