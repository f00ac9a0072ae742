/**
 * The supervisor's tab, "Floor": every queue live (waiting, longest wait, agents by state) and every agent with
 * state, time in state and queues; a supervisor can set an agent available or away (which also brings a paused agent
 * back) and opt them in or out of a queue. Every action goes through the admin API, which audits it.
 */
import { setAvailability, setMembership } from './admin-api.js';
import type { FloorView } from './live.js';
import { TabPage } from './tab-page.js';
import { confirmAction } from './confirm.js';
import { button, elapsed, h, linkBanner, problem, render, stateLabel, tableSection, toggleButton } from './view.js';

const app = document.getElementById('app')!;
const OPT_OUT_EXPLAINED = (agent: string, queue: string) =>
  `${agent} gets no more calls from ${queue} until opted in again. The change is audited.`;
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
        const action = member ? `Opt out ${label} of ${queue}` : `Opt in ${label} to ${queue}`;
        return toggleButton(`${queue}${member ? '' : ' (out)'}`, member, {
          size: 'small',
          'data-key': `member:${agent.agentId}:${queue}`,
          'aria-label': action,
          onclick: () =>
            void (async () => {
              // Taking an agent out of a queue changes who gets its calls: a dialog asks first (opting in does not).
              if (member && !(await confirmAction(`${action}?`, OPT_OUT_EXPLAINED(label, queue), 'Opt out'))) return;
              await tab.act(() => setMembership(token, queue, agent.agentId, !member));
            })(),
        });
      }),
    ),
    h(
      'td',
      { class: 'actions' },
      button('Available', {
        size: 'small',
        'data-key': `available:${agent.agentId}`,
        'aria-label': `Set ${label} available`,
        onclick: () => void tab.act(() => setAvailability(token, agent.agentId, 'available')),
      }),
      button('Away', {
        size: 'small',
        'data-key': `away:${agent.agentId}`,
        'aria-label': `Set ${label} away`,
        onclick: () => void tab.act(() => setAvailability(token, agent.agentId, 'away')),
      }),
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
    tab.problem ? problem(tab.problem) : null,
    tab.floor && !tab.floor.viewer.supervises
      ? problem('This tab is for supervisors (role Switchboard.Supervisor).')
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
