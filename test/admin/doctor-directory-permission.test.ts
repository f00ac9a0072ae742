import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { graphChecks } from '../../src/doctor/checks.js';
import { doctorFlows, emulatedTenantsForFile, graphClientAsDoctor } from '../helpers/doctor-tenant.js';

// Issue 21, point 5 (checked against the docs): `switchboard doctor` looks the flows' resource accounts up with
// GET /users/{id}. user-get.md's Permissions table lists for applications User.Read.All (least privileged),
// User.ReadWrite.All, Directory.Read.All and Directory.ReadWrite.All; graph/migrate-azure-ad-graph-permissions-
// differences says app-only reading of users "requires only the User.Read.All permission". User.ReadBasic.All, an
// application permission in the permissions reference, is not on Get user's list, and tenants report 403 with it
// alone (Microsoft Q&A 6019739): doctor no longer takes it as enough, and the emulator refuses it as Graph does.
// Only the emulated tenant is needed: graphChecks talks to Graph alone.
const CALLING = ['Calls.AccessMedia.All', 'Calls.Initiate.All', 'Presence.Read.All', 'TeamsActivity.Send'];
const FLOWS = doctorFlows({ queues: 1, agents: 1, voicemailBoxes: 1, boxesWithTeamsUsers: 0 });
const tenant = emulatedTenantsForFile();

async function tenantWith(directoryRole: string) {
  const emulator = await tenant({
    botCallingUrl: 'http://127.0.0.1:9/api/calling',
    users: ['ra-main'],
    appRoles: [...CALLING, directoryRole],
  });
  const config = loadConfig({
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    AZURE_AUTHORITY_METADATA_URL: emulator.authorityMetadataUrl,
  });
  const lines = await graphChecks(config, FLOWS);
  const graph = await graphClientAsDoctor(emulator);
  const lookUp = await fetch(`${emulator.graphBaseUrl}/users/ra-main`, {
    headers: { authorization: `Bearer ${await graph.getAccessToken()}` },
  });
  return { lines, lookUp };
}

describe("doctor's resource-account look-up needs what user-get.md lists for applications", () => {
  it('User.ReadBasic.All alone is not enough: doctor says what to grant, and Graph (emulated) answers 403', async () => {
    const { lines, lookUp } = await tenantWith('User.ReadBasic.All');
    const accounts = lines.filter((l) => l.check.startsWith('resource account'));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ verdict: 'warn', check: 'resource accounts' });
    expect(accounts[0]!.detail).toContain(
      'needs User.Read.All or User.ReadWrite.All or Directory.Read.All or Directory.ReadWrite.All (user-get.md',
    );
    expect(accounts[0]!.detail).toContain('Application permissions → User.Read.All, then "Grant admin consent"');
    expect(lookUp.status).toBe(403);
    expect(((await lookUp.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'Forbidden',
      message: expect.stringContaining('User.Read.All') as string,
    });
  });

  it.each(['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'])(
    '%s is enough: the account the tenant has is found, the one it lacks is not',
    async (role) => {
      const { lines, lookUp } = await tenantWith(role);
      expect(lookUp.status).toBe(200);
      const verdicts = lines.filter((l) => l.check.startsWith('resource account')).map((l) => [l.check, l.verdict]);
      expect(verdicts).toEqual([
        ['resource account ra-main (flow main line)', 'ok'],
        ['resource account ra-gone (flow sales line)', 'fail'],
      ]);
    },
  );
});
