/** `npm run deploy:render`: writes the generated Kubernetes manifests (grafana-manifests.ts). */
import { writeFileSync } from 'node:fs';
import { GRAFANA_MANIFEST, renderGrafanaProvisioning } from './grafana-manifests.js';

writeFileSync(GRAFANA_MANIFEST, renderGrafanaProvisioning());
process.stdout.write(`wrote ${GRAFANA_MANIFEST}\n`);
