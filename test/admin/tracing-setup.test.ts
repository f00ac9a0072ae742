import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CALL_ID_ATTRIBUTE } from '../../src/contracts/tracing.js';
import { startTracing, switchboardTracer, tracingRequested } from '../../src/telemetry/tracing.js';
import { composeConfig } from '../helpers/compose.js';

// Issue 26, point 5: tracing is switched on by the standard OTEL_* variables and then speaks OTLP as the Node SDK
// does, and docker-compose can add a collector (`--profile tracing`) that the app's variables point at.

interface ComposeService {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: { source: string; target: string; read_only?: boolean }[];
}
async function composeServices(args: string[], env: Record<string, string> = {}) {
  return (await composeConfig<{ services: Record<string, ComposeService> }>(args, env)).services;
}

let receiver: Server | undefined;
afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe('tracing set-up', () => {
  it('docker compose: no collector and tracing off by default; --profile tracing adds one the app can point at', async () => {
    const plain = await composeServices([]);
    expect(plain['otel-collector']).toBeUndefined();
    expect(tracingRequested(plain.web!.environment!)).toBe(false);

    const traced = await composeServices(['--profile', 'tracing'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
    });
    const collector = traced['otel-collector']!;
    expect(collector.image).toMatch(/^otel\/opentelemetry-collector:\d+\.\d+\.\d+$/);
    expect(collector.volumes).toMatchObject([
      { source: path.resolve('otel/collector.yaml'), target: '/etc/otelcol/config.yaml', read_only: true },
    ]);
    for (const name of ['web', 'worker']) {
      expect(traced[name]!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
      expect(tracingRequested(traced[name]!.environment!)).toBe(true);
    }
    // The collector takes OTLP on both ports and has a traces pipeline from it.
    const config = yaml.load(await readFile('otel/collector.yaml', 'utf8')) as {
      receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.service.pipelines.traces.receivers).toEqual(['otlp']);
    expect(config.service.pipelines.traces.exporters.length).toBeGreaterThan(0);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, spans go out over OTLP/HTTP to that endpoint as service switchboard', async () => {
    const posts: { url: string; type: string; body: Buffer }[] = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const saved = { ...process.env };
    // The SDK reads its configuration from the process environment, as in production.
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: '',
    });
    delete process.env.OTEL_SERVICE_NAME;
    try {
      const tracing = startTracing();
      expect(tracing).toBeDefined();
      switchboardTracer()
        .startSpan('probe', { attributes: { [CALL_ID_ATTRIBUTE]: 'probe-call' } })
        .end();
      await tracing!.shutdown();
    } finally {
      process.env = saved;
    }
    expect(posts.map((p) => p.url)).toEqual(['/v1/traces']);
    const body = posts[0]!.body.toString('utf8');
    expect(posts[0]!.type).toContain('application/json');
    expect(body).toContain('"probe"');
    expect(body).toContain('probe-call');
    expect(body).toContain('"service.name"');
    expect(body).toContain('"switchboard"');
  });
});
