// docker-compose.yml and otel-collector.yaml cannot be run here (no Docker engine), so their
// structure is checked: valid YAML, every pipeline component defined, ports consistent.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = async (file: string) => parse(await readFile(path.join(ROOT, file), 'utf8'));

test('otel-collector.yaml forwards every signal to the processor over otlphttp', async () => {
  const config = await load('otel-collector.yaml');
  const pipelines = config.service.pipelines as Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  assert.deepEqual(Object.keys(pipelines).sort(), ['logs', 'metrics', 'traces']);
  for (const pipeline of Object.values(pipelines)) {
    for (const r of pipeline.receivers) assert.ok(r in config.receivers, `receiver ${r} is defined`);
    for (const p of pipeline.processors) assert.ok(p in config.processors, `processor ${p} is defined`);
    assert.deepEqual(pipeline.exporters, ['otlphttp/flywheel']);
  }
  assert.equal(config.exporters['otlphttp/flywheel'].compression, 'gzip');
  assert.deepEqual(config.exporters['otlphttp/flywheel'].headers, { 'x-api-key': '${env:FLYWHEEL_API_KEY}' });
});

test('docker-compose.yml wires the collector to the processor and the processor to Postgres', async () => {
  const compose = await load('docker-compose.yml');
  assert.deepEqual(Object.keys(compose.services).sort(), ['otel-collector', 'postgres', 'processor']);
  const processor = compose.services.processor;
  assert.match(processor.environment.DATABASE_URL, /^postgres:\/\/flywheel:flywheel@postgres:5432\/flywheel$/);
  assert.equal(processor.environment.FLYWHEEL_HOST, '0.0.0.0');
  // Beyond loopback the processor needs keys; the collector sends one.
  assert.equal(processor.environment.FLYWHEEL_AUTH, 'required');
  assert.equal(compose.services['otel-collector'].environment.FLYWHEEL_API_KEY, '${FLYWHEEL_API_KEY:-}');
  assert.equal(compose.services['otel-collector'].environment.FLYWHEEL_ENDPOINT, `http://processor:${processor.environment.FLYWHEEL_PORT}`);
  assert.deepEqual(compose.services['otel-collector'].volumes, ['./otel-collector.yaml:/etc/otelcol/config.yaml:ro']);
});
