/**
 * The embedded demo's sign-in (never served in production): pick a demo agent or supervisor and get their token from
 * the Graph emulator, as Entra ID sign-in would give it. In Teams, single sign-on replaces this page.
 */
import { applyTheme, keepToken } from './session.js';
import { button, h, problem, render } from './view.js';

interface DemoUser {
  id: string;
  name: string;
  role: string;
}

const app = document.getElementById('app')!;
const params = new URLSearchParams(location.search);
const next = params.get('next') === 'supervisor' ? 'supervisor' : 'agent';
applyTheme(params.get('theme') ?? undefined);

async function choose(user: DemoUser): Promise<void> {
  const res = await fetch('api/demo-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: user.id }),
  });
  if (!res.ok) {
    render(app, problem(`Sign-in failed: HTTP ${res.status}`));
    return;
  }
  keepToken(((await res.json()) as { token: string }).token);
  const theme = params.get('theme');
  location.assign(`${user.role === 'Switchboard.Supervisor' ? 'supervisor' : next}${theme ? `?theme=${theme}` : ''}`);
}

const { users } = (await (await fetch('api/demo-users')).json()) as { users: DemoUser[] };
// `?as=<id>` (the links `npm start` prints) signs in as that demo user at once.
const chosen = users.find((u) => u.id === params.get('as'));
if (chosen) await choose(chosen);
else
  render(
    app,
    h('h1', {}, 'Sign in to the Switchboard demo'),
    h('p', {}, 'Choose who you are. In Teams, you are signed in with your Teams account instead.'),
    h(
      'ul',
      { class: 'people' },
      ...users.map((u) =>
        h(
          'li',
          {},
          button(`${u.name} (${u.role.replace('Switchboard.', '')})`, {
            'data-key': u.id,
            onclick: () => void choose(u),
          }),
        ),
      ),
    ),
  );
