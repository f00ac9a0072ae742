import type { AdminCatalog } from '../../src/admin/catalog.js';
import { agents, queues } from '../../flows/index.js';
import { schedules } from '../../flows/schedules.js';
import { voicemailBoxes, VOICEMAIL_DEFAULTS } from '../../flows/voicemail-boxes.js';

/** The admin API's view of flows/: what the web role hands adminRouter, so that src/admin never imports flows/. */
export function configuredAdminCatalog(): AdminCatalog {
  return {
    queues,
    agents,
    schedules,
    voicemailBoxes: Object.fromEntries(
      Object.entries(voicemailBoxes).map(([name, box]) => [
        name,
        {
          displayName: box.displayName,
          maxSeconds: box.maxSeconds ?? VOICEMAIL_DEFAULTS.maxSeconds,
          notify: box.notify,
        },
      ]),
    ),
  };
}
