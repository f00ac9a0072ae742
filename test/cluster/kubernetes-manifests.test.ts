import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { GRAFANA_MANIFEST, renderGrafanaProvisioning } from '../../devkit/cluster/grafana-manifests.js';

// deploy/ (issue 25, point 5): the Kubernetes manifests are rendered (the Grafana provisioning from dashboards/) and
// validated against Kubernetes' own schemas, offline, by kubernetes-validate (PyPI; bin/bootstrap.sh installs it),
// and they say what docker-compose.yml says: the same settings, the same secrets as files, probes on /healthz,
// resource requests.

const run = promisify(execFile);
const VALIDATE = path.resolve('.venv/bin/kubernetes-validate');
const DIR = 'deploy/kubernetes';

type Doc = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec: PodSpec } };
};
type Probe = { httpGet?: { path: string; port: string } };
type Container = {
  name: string;
  args?: string[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string } };
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = { containers: Container[]; volumes?: { name: string; secret?: { secretName: string } }[] };

async function manifestFiles(): Promise<string[]> {
  const kustomization = yaml.load(await readFile(`${DIR}/kustomization.yaml`, 'utf8')) as { resources: string[] };
  return kustomization.resources.map((r) => `${DIR}/${r}`);
}

async function docs(): Promise<Doc[]> {
  const files = await manifestFiles();
  return (await Promise.all(files.map(async (f) => yaml.loadAll(await readFile(f, 'utf8')) as Doc[]))).flat();
}

const byName = (all: Doc[], kind: string, name: string) => {
  const d = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name} in ${DIR}`);
  return d;
};

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('kustomization lists every manifest in the folder', async () => {
    const listed = (await manifestFiles()).map((f) => path.relative(DIR, f)).sort();
    const top = (await readdir(DIR)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    const generated = (await readdir(`${DIR}/generated`)).map((f) => `generated/${f}`);
    expect(listed).toEqual([...top, ...generated].sort());
  });

  it('the Grafana provisioning is rendered from dashboards/ and up to date (npm run deploy:render)', async () => {
    expect(await readFile(GRAFANA_MANIFEST, 'utf8')).toBe(renderGrafanaProvisioning());
  });

  it('every manifest validates against the Kubernetes 1.37 schemas (kubernetes-validate --strict)', async () => {
    const files = (await manifestFiles()).filter((f) => !f.endsWith('kustomization.yaml'));
    const { stdout } = await run(VALIDATE, ['--strict', '--kubernetes-version', '1.37.0', ...files]);
    const passed = stdout.split('\n').filter((l) => l.startsWith('INFO') && l.includes(' passed '));
    expect(passed.length).toBe((await docs()).length);
  }, 60_000);

  it('the validator is not a rubber stamp: an unknown field and a missing required one are refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-k8s-'));
    try {
      const web = (await readFile(`${DIR}/web.yaml`, 'utf8')).replace('  replicas: 2', '  replicas: 2\n  replicaz: 2');
      await writeFile(path.join(dir, 'web.yaml'), web);
      const failure = await run(VALIDATE, ['--strict', path.join(dir, 'web.yaml')]).then(
        () => undefined,
        (err: { stdout: string }) => err.stdout,
      );
      expect(failure).toMatch(/replicaz/);
      const noPort = (await readFile(`${DIR}/worker.yaml`, 'utf8')).replace(
        'containerPort: 9464',
        'containerPrt: 9464',
      );
      await writeFile(path.join(dir, 'worker.yaml'), noPort);
      await expect(run(VALIDATE, ['--strict', path.join(dir, 'worker.yaml')])).rejects.toMatchObject({
        stdout: expect.stringMatching(/'containerPort' is a required property/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('web and workers: probes on /healthz, resource requests, the settings and secrets of docker-compose', async () => {
    const all = await docs();
    const compose = yaml.load(await readFile('docker-compose.yml', 'utf8')) as {
      'x-app': { environment: Record<string, string>; secrets: string[] };
    };
    const config = byName(all, 'ConfigMap', 'switchboard-config').data!;
    // Every setting docker-compose gives the app is set here too (values differ: addresses, placeholders).
    expect(Object.keys(config)).toEqual(expect.arrayContaining(Object.keys(compose['x-app'].environment)));
    // Every *_FILE names a file of the mounted Secret that docker-compose also has as a secret.
    const files = Object.entries(config)
      .filter(([k]) => k.endsWith('_FILE'))
      .map(([, v]) => v);
    expect(files.every((f) => f.startsWith('/run/secrets/'))).toBe(true);
    expect(files.map((f) => path.basename(f)).sort()).toEqual([...compose['x-app'].secrets].sort());

    for (const [name, role, port] of [
      ['switchboard-web', 'web', 'http'],
      ['switchboard-worker', 'worker', 'metrics'],
    ] as const) {
      const pod = byName(all, 'Deployment', name).spec!.template!.spec;
      const c = pod.containers[0]!;
      expect(c.args).toEqual([role]);
      expect(c.envFrom?.[0]?.configMapRef?.name).toBe('switchboard-config');
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
        expect(probe?.httpGet, `${name} probes`).toEqual({ path: '/healthz', port });
      expect(c.resources?.requests?.cpu, `${name} cpu request`).toBeDefined();
      expect(c.resources?.requests?.memory, `${name} memory request`).toBeDefined();
      const secretVolume = pod.volumes?.find((v) => v.secret)?.name;
      expect(pod.volumes?.find((v) => v.name === secretVolume)?.secret?.secretName).toBe('switchboard-secrets');
      expect(c.volumeMounts).toContainEqual(expect.objectContaining({ name: secretVolume, mountPath: '/run/secrets' }));
    }
    // The ports the probes name are the app's: the web's PORT and the worker's WORKER_METRICS_PORT.
    const webPorts = byName(all, 'Deployment', 'switchboard-web').spec!.template!.spec.containers[0]!.ports!;
    const workerPorts = byName(all, 'Deployment', 'switchboard-worker').spec!.template!.spec.containers[0]!.ports!;
    expect(webPorts).toContainEqual({ name: 'http', containerPort: Number(config.PORT) });
    expect(workerPorts).toContainEqual({ name: 'metrics', containerPort: Number(config.WORKER_METRICS_PORT) });
  });

  it("Temporal comes from its own chart: the values name the namespace's retention, a day under RETENTION_DAYS", async () => {
    const values = yaml.load(await readFile('deploy/temporal/values.yaml', 'utf8')) as {
      server: { config: { namespaces: { create: boolean; namespace: { name: string; retention: string }[] } } };
    };
    const config = byName(await docs(), 'ConfigMap', 'switchboard-config').data!;
    const ns = values.server.config.namespaces.namespace.find((n) => n.name === config.TEMPORAL_NAMESPACE);
    expect(values.server.config.namespaces.create).toBe(true);
    expect(ns?.retention).toBe(`${Number(config.RETENTION_DAYS) - 1}d`);
    // No copy of the chart's templates in the repo.
    expect(await readdir('deploy/temporal')).toEqual(['values.yaml']);
  });
});
