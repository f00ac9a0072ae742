import path from 'node:path';
import type { Config } from '../src/config.js';
import { TeamsPackageError, writeTeamsPackage } from '../src/teams/app-package.js';

import { TEAMS_USAGE as USAGE } from './usage.js';

/** `switchboard teams package`: the zip an admin uploads to Teams, built for this deployment's PUBLIC_URL and app id. */
export async function teams(
  config: Config,
  args: string[],
  io: { stdout: (t: string) => void; stderr: (t: string) => void },
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'package') {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  let out = 'switchboard-teams.zip';
  for (let i = 0; i < rest.length; i++) {
    const value = rest[i + 1];
    if (rest[i] === '--out' && value) {
      out = value;
      i++;
    } else {
      io.stderr(`unknown argument '${rest[i]}'\n${USAGE}\n`);
      return 2;
    }
  }
  const file = path.resolve(out);
  try {
    await writeTeamsPackage(
      new URL('../teams/', import.meta.url),
      {
        publicUrl: config.publicUrl,
        clientId: config.graph.clientId,
      },
      file,
    );
  } catch (err) {
    if (err instanceof TeamsPackageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  io.stdout(`${file}\nUpload it in the Teams admin center (Teams apps → Manage apps → Upload new app).\n`);
  return 0;
}
