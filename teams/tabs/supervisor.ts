/**
 * The supervisor's tab, "Floor": every queue live (waiting, longest wait, agents by state) and every agent with
 * state, time in state and queues; a supervisor can set an agent available or away (which also brings a paused agent
 * back) and opt them in or out of a queue. Every action goes through the admin API, which audits it.
 */
import { setAvailability, setMembership } from './admin-api.js';
import type { FloorView } from './live.js';
import { TabPage } from './tab-page.js';
import { elapsed, h, linkBanner, render, stateLabel, tableSection } from './view.js';

const app = document.getElementById('app')!;
const tab = new TabPage('supervisor');

function agentRow(token: string, agent: FloorView['agents'][number]): HTMLElement {
  const label = agent.name;
  return h(
    'tr',
    { 'data-agent': agent.agentId },
    h('th', { scope: 'row' }, label),
    h('td', { 'data-testid': 'agent-state' }, stateLabel(agent.state)),
    h('td', {}, elapsed(agent.since)),
    h(
      'td',
      {},
      ...agent.queues.map((queue) => {
        const member =
          tab.memberships.find((m) => m.name === queue)?.members.find((m) => m.agentId === agent.agentId)?.member ??
          true;
        return h(
          'button',
          {
            type: 'button',
            class: 'chip',
            'data-key': `member:${agent.agentId}:${queue}`,
            'aria-pressed': member ? 'true' : 'false',
            'aria-label': `${member ? 'Opt out' : 'Opt in'} ${label} ${member ? 'of' : 'to'} ${queue}`,
            onclick: () => void tab.act(() => setMembership(token, queue, agent.agentId, !member)),
          },
          `${queue}${member ? '' : ' (out)'}`,
        );
      }),
    ),
    h(
      'td',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          'data-key': `available:${agent.agentId}`,
          'aria-label': `Set ${label} available`,
          onclick: () => void tab.act(() => setAvailability(token, agent.agentId, 'available')),
        },
        'Available',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-key': `away:${agent.agentId}`,
          'aria-label': `Set ${label} away`,
          onclick: () => void tab.act(() => setAvailability(token, agent.agentId, 'away')),
        },
        'Away',
      ),
    ),
  );
}

/** Calls waiting, longest first, with where to look at each: its dashboard and its workflow. */
function waitingTable(view: FloorView): HTMLElement {
  const links = view.links;
  return tableSection(
    'waiting',
    'Calls waiting',
    ['Queue', 'Position', 'Waiting for', 'Open'],
    view.waiting.map((w) =>
      h(
        'tr',
        { 'data-call': w.callId },
        h('th', { scope: 'row' }, w.queue),
        h('td', {}, String(w.position)),
        h('td', {}, elapsed(w.since)),
        h(
          'td',
          {},
          links.grafana
            ? h(
                'a',
                {
                  href: `${links.grafana}/d/switchboard-calls?var-call=${encodeURIComponent(w.callId)}`,
                  target: '_blank',
                  rel: 'noopener',
                },
                'Call explorer',
              )
            : null,
          links.grafana && links.temporalWorkflows ? ' · ' : null,
          links.temporalWorkflows
            ? h(
                'a',
                {
                  href: `${links.temporalWorkflows}/${encodeURIComponent(w.workflowId)}`,
                  target: '_blank',
                  rel: 'noopener',
                },
                'Workflow',
              )
            : null,
        ),
      ),
    ),
    'Nobody is waiting.',
  );
}

function draw(token: string): void {
  render(
    app,
    h('header', {}, h('h1', {}, 'Floor'), linkBanner(tab.link.state, tab.link.detail)),
    tab.problem ? h('p', { class: 'problem', role: 'alert' }, tab.problem) : null,
    tab.floor && !tab.floor.viewer.supervises
      ? h('p', { class: 'problem', role: 'alert' }, 'This tab is for supervisors (role Switchboard.Supervisor).')
      : null,
    tableSection(
      'queues',
      'Queues',
      ['Queue', 'Waiting', 'Longest wait', 'Service level today (SL2)', 'Available', 'On a call', 'Wrap-up', 'Away'],
      (tab.floor?.queues ?? []).map((q) =>
        h(
          'tr',
          { 'data-queue': q.queue },
          h('th', { scope: 'row' }, q.queue),
          h('td', {}, String(q.waiting)),
          h('td', {}, elapsed(q.oldestWaitingSince)),
          h(
            'td',
            { 'data-testid': 'service-level' },
            q.serviceLevelToday === null ? '–' : `${Math.round(q.serviceLevelToday * 100)} %`,
          ),
          h('td', {}, String(q.agentsByState['available'] ?? 0)),
          h('td', {}, String(q.agentsByState['onCall'] ?? 0)),
          h('td', {}, String(q.agentsByState['wrapUp'] ?? 0)),
          h('td', {}, String(q.agentsByState['away'] ?? 0)),
        ),
      ),
    ),
    tab.floor ? waitingTable(tab.floor) : null,
    tableSection(
      'agents',
      'Agents',
      ['Agent', 'State', 'For', 'Queues', 'Set'],
      (tab.floor?.agents ?? []).map((a) => agentRow(token, a)),
    ),
  );
}

await tab.start(() => draw(tab.token));
