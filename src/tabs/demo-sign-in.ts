/**
 * The embedded demo's people for the tabs' sign-in page: every agent in flows/ and one supervisor, each given a token
 * by the Graph emulator's user-token endpoint (devkit/emulator/user-token-endpoint.ts) exactly as Entra ID would.
 */
import type { DemoSignIn } from './router.js';

/** The demo's supervisor: not an agent, so the floor tab shows everyone and the agent tab nothing of their own. */
export const DEMO_SUPERVISOR = { id: 'd0000000-0000-4000-8000-00000000005e', name: 'Sam Supervisor' };

export function demoSignIn(
  agents: Record<string, { name: string }>,
  emulatorUrl: () => string | undefined,
  audience: string,
): DemoSignIn {
  return {
    users: [
      ...Object.entries(agents).map(([id, a]) => ({ id, name: a.name, role: 'Switchboard.Agent' as const })),
      { ...DEMO_SUPERVISOR, role: 'Switchboard.Supervisor' as const },
    ],
    async mintToken(user) {
      const url = emulatorUrl();
      if (!url) throw new Error('the demo sign-in needs the Graph emulator, which is not running');
      const res = await fetch(`${url}/emulator/user-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ roles: [user.role], oid: user.id, name: user.name, audience }),
      });
      if (!res.ok) throw new Error(`the emulator refused a demo token: HTTP ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
  };
}
