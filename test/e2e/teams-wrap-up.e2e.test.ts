import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agents, queues } from '../../flows/index.js';
import { agentRunStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';
import { expandQuery } from '../../devkit/analytics/grafana-macros.js';
import { loadGenerated, VARS } from '../helpers/dashboards.js';
import { eventually, type TestStack } from '../helpers/stack.js';
import { demoAgentId, stackAndBrowserForFile } from '../helpers/tabs-stack.js';

// Wrap-up in the agent's Teams tab (issue 23, point 3), on the real stack in a real browser: a call to Adele ends,
// she extends her wrap-up, picks a code of the queue's list and writes a note; the code is on the call's record and
// counted by Agent performance's "Wrap-up codes" panel, its SQL run as Grafana's reader role.
const ADELE = demoAgentId('Adele Vance');
// A wrap-up long enough for the page to be read before it ends on its own; the extension adds to it. Offers go by
// the agent's state alone (presenceBased off): this test is about what follows the call, not Teams presence.
const WRAP_UP_SECONDS = 20;
let stack: TestStack;
let browser: Browser;

stackAndBrowserForFile((s, b) => ([stack, browser] = [s, b]), {
  queues: { ...queues, support: { ...queues.support!, wrapUpSeconds: WRAP_UP_SECONDS, presenceBased: false } },
});

/** An admin's token from the emulator's user-token endpoint, as the demo sign-in gets its users'. */
async function adminToken(): Promise<string> {
  const res = await fetch(`${stack.emulator!.url}/emulator/user-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      roles: ['Switchboard.Admin'],
      oid: 'a0000000-0000-4000-8000-0000000000ad',
      name: 'Ada Admin',
      audience: stack.config.security.adminAudiences[0] ?? stack.config.graph.clientId,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function adminApi(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.webUrl}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function signedIn(who: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${stack.webUrl}/tabs/agent`);
  await page.waitForURL(/\/tabs\/sign-in/);
  await page.getByRole('button', { name: new RegExp(`^${who} `) }).click();
  await page.waitForURL(/\/tabs\/agent/);
  await page.getByText('Live', { exact: true }).waitFor();
  return page;
}

/** The panel's SQL as Grafana runs it: macros expanded for today, as the read-only role. */
async function wrapUpPanel(): Promise<Record<string, unknown>[]> {
  const panel = (await loadGenerated())['agent-performance.json']!.panels.find((p) => p.title === 'Wrap-up codes')!;
  const now = Date.now();
  const sql = expandQuery(panel.targets![0]!.rawSql, {
    from: new Date(now - 3_600_000),
    to: new Date(now + 60_000),
    interval: '1m',
    vars: VARS,
    options: { agent: Object.keys(agents) },
  });
  const c = new pg.Client({ connectionString: stack.databaseUrl });
  await c.connect();
  try {
    await c.query('begin');
    await c.query('set local role switchboard_reader');
    return (await c.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await c.query('rollback').catch(() => undefined);
    await c.end();
  }
}

describe('wrap-up in the agent tab (issue 23)', () => {
  it('a call to Adele ends; she extends wrap-up, picks a code and a note; both land on the call and the panel counts it', async () => {
    const admin = await adminToken();
    for (const [code, label, active] of [
      ['resolved', 'Resolved', true],
      ['escalated', 'Escalated', true],
      ['retired', 'Retired', false],
    ] as const) {
      expect((await adminApi(admin, 'PUT', `/wrap-up-codes/${code}`, { label, active })).status).toBe(200);
    }
    const adele = await signedIn('Adele Vance');
    // Agents start signed out: she goes available, first in support's serial order.
    await adele.getByRole('button', { name: 'Go available' }).click();
    await adele.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor();
    const { callId } = await stack.emulator!.placeCall({
      from: { phone: '+14255550177' },
      applicationInstanceId: 'ra-support',
      hangUpAfterMs: 12_000,
    });
    await adele.getByTestId('my-call').waitFor({ timeout: 60_000 });
    const wrapUp = adele.getByTestId('wrap-up');
    await wrapUp.waitFor({ timeout: 60_000 });
    await adele.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor();
    // The queue's active codes only, labelled; the retired one is not offered.
    // A Fluent dropdown: its combobox carries the field's label, its options are fluent-option elements.
    const codes = adele.getByRole('combobox', { name: 'Wrap-up code' });
    const dropdown = adele.locator('fluent-dropdown#wrap-up-code');
    expect(await dropdown.locator('fluent-option').allTextContents()).toEqual(['Escalated', 'Resolved']);
    // The form passes axe-core with no serious or critical violation (injected through DevTools: the CSP stays).
    await adele.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await adele.evaluate<string[]>(`axe.run().then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.help + ' ' + v.nodes.map((n) => JSON.stringify(n.target) + n.failureSummary).join('; ')))`);
    expect(violations).toEqual([]);

    // "Extend wrap-up" asks her workflow for 60 s more: its wrap-up now ends 20 + 60 s after it began.
    await adele.getByRole('button', { name: 'Extend wrap-up (+60 s)' }).click();
    await adele.getByTestId('wrap-up-status').filter({ hasText: 'Wrap-up extended until' }).waitFor();
    const run = await stack.client.workflow.getHandle(agentWorkflowId(ADELE)).query(agentRunStateQuery);
    expect(run.state.state).toBe('wrapUp');
    expect(run.state.wrapUpUntil! - run.state.since).toBe((WRAP_UP_SECONDS + 60) * 1000);

    // By keyboard: the code, then the note, then Save; the live redraws keep what she typed and where.
    // (ArrowDown opens the list on the picked code, ArrowDown moves to the next one, Enter picks it.)
    await codes.focus();
    await adele.keyboard.press('ArrowDown');
    await adele.keyboard.press('ArrowDown');
    await adele.keyboard.press('Enter');
    expect(await dropdown.evaluate((el) => (el as unknown as { value: string | null }).value)).toBe('resolved');
    // Tab goes on to the note (a Fluent text area named by its label).
    await adele.keyboard.press('Tab');
    expect(await adele.getByRole('textbox', { name: /^Note/ }).count()).toBe(1);
    await adele.keyboard.type('Reset the password; customer satisfied');
    expect(await adele.evaluate<string | undefined>('document.activeElement?.id')).toBe('wrap-up-note');
    await adele.getByRole('button', { name: 'Save' }).click();
    await adele.getByTestId('wrap-up-status').filter({ hasText: 'Saved: Resolved' }).waitFor();

    // On the call's record...
    const record = await adminApi(admin, 'GET', `/calls/${callId}`);
    expect(record.status).toBe(200);
    expect(record.json.agentId).toBe(ADELE);
    expect(record.json.wrapUp).toMatchObject({
      callId,
      agentId: ADELE,
      code: 'resolved',
      note: 'Reset the password; customer satisfied',
    });
    // ...and counted by the dashboard panel, which never sees the note.
    expect(await wrapUpPanel()).toEqual([{ agent_id: ADELE, code: 'resolved', calls: 1 }]);
    // Both changes audited, with Adele as the actor.
    const audit = await adminApi(admin, 'GET', '/audit?limit=5');
    const actions = (audit.json.items as { action: string; actorId: string }[])
      .filter((a) => a.actorId === ADELE)
      .map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['call.wrapUp', 'agent.extendWrapUp']));

    // When wrap-up ends on its own she is available again and the saved wrap-up leaves the page.
    await eventually(
      async () => {
        const s = await stack.client.workflow.getHandle(agentWorkflowId(ADELE)).query(agentRunStateQuery);
        return s.state.state === 'available' || undefined;
      },
      'wrap-up over',
      120_000,
    );
    await wrapUp.waitFor({ state: 'detached' });
    // Extending now is refused by her workflow's validator, and the API says why.
    const token = (await adele.evaluate<string | null>("sessionStorage.getItem('switchboard.token')"))!;
    const late = await fetch(`${stack.webUrl}/api/admin/agents/${ADELE}/wrap-up/extend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 60 }),
    });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toBe(
      `wrap-up not extended: agent ${ADELE} is available, not in wrap-up`,
    );
    await adele.close();
  }, 300_000);
});
