/**
 * The agent's tab, "My calls": my state with time in state, available/away, my queues with opt-in/out, and each
 * queue's waiting calls; in wrap-up, a code and a note for the call (wrap-up.ts). Own data only: the stream and the admin API refuse anything else for an agent.
 */
import { queues, setAvailability, setMembership, type QueueSummary } from './admin-api.js';
import { followFloor, type CallCard, type FloorView, type LinkState } from './live.js';
import { signIn } from './session.js';
import { elapsed, h, linkBanner, render, stateLabel, tickTimes } from './view.js';
import { followWrapUp, wrapUpSection } from './wrap-up.js';

const app = document.getElementById('app')!;
let floor: FloorView | undefined;
let memberships: QueueSummary[] = [];
let link: { state: LinkState; detail?: string } = { state: 'reconnecting' };
let problem = '';

async function act(token: string, action: () => Promise<unknown>): Promise<void> {
  try {
    problem = '';
    await action();
    memberships = await queues(token);
  } catch (err) {
    problem = (err as Error).message;
  }
  draw(token);
}

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
  const me = floor?.me;
  const agentId = floor?.viewer.agentId ?? '';
  const myQueues = new Set(me?.queues ?? []);
  render(
    app,
    h('header', {}, h('h1', {}, 'My calls'), linkBanner(link.state, link.detail)),
    problem ? h('p', { class: 'problem', role: 'alert' }, problem) : null,
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
            h(
              'button',
              {
                type: 'button',
                'data-key': 'available',
                onclick: () => void act(token, () => setAvailability(token, agentId, 'available')),
              },
              'Go available',
            ),
            h(
              'button',
              {
                type: 'button',
                'data-key': 'away',
                onclick: () => void act(token, () => setAvailability(token, agentId, 'away')),
              },
              'Go away',
            ),
          )
        : null,
    ),
    me?.call ? callCard(me.call) : null,
    wrapUpSection(token, agentId, me?.state, () => draw(token)),
    h(
      'section',
      { 'aria-labelledby': 'my-queues' },
      h('h2', { id: 'my-queues' }, 'My queues'),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Queue'),
            h('th', {}, 'Waiting'),
            h('th', {}, 'Longest wait'),
            h('th', {}, 'Taking calls'),
          ),
        ),
        h(
          'tbody',
          {},
          ...(floor?.queues ?? [])
            .filter((q) => myQueues.has(q.queue))
            .map((q) => {
              const member = memberships.find((m) => m.name === q.queue)?.members.find((m) => m.agentId === agentId);
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
                  h(
                    'button',
                    {
                      type: 'button',
                      'data-key': `member:${q.queue}`,
                      'aria-pressed': inQueue ? 'true' : 'false',
                      onclick: () => void act(token, () => setMembership(token, q.queue, agentId, !inQueue)),
                    },
                    inQueue ? `Opt out of ${q.queue}` : `Opt in to ${q.queue}`,
                  ),
                ),
              );
            }),
        ),
      ),
    ),
  );
}

const token = await signIn('agent');
if (token) {
  memberships = await queues(token).catch(() => []);
  followFloor(
    token,
    (f) => {
      floor = f;
      followWrapUp(f.me);
      draw(token);
    },
    (state, detail) => {
      link = { state, ...(detail ? { detail } : {}) };
      draw(token);
    },
  );
  tickTimes();
}
