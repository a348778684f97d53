// The bundle (docker-compose.yml, otel-collector.yaml and the files under bundle/) cannot be run
// here, having no Docker engine, so its files are parsed and cross-checked: every service, port,
// volume, file and pipeline component one of them names exists and agrees with the others and
// with the processor's settings. docker-compose and promtool validate the files themselves, and
// the processor, started with the compose file's environment, answers the paths its healthcheck
// and Prometheus use.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '../processor/src/config/config.ts';
import { BUNDLE_DATASOURCES, GRAFANA_POSTGRES_ROLE } from './bundle-datasources.ts';
import {
  type CollectorConfig,
  collectorConfig,
  collectorFiles,
  compose,
  envOf,
  hostPath,
  inProfile,
  listening,
  load,
  portOf,
  prometheusConfig,
  read,
  references,
  ROOT,
  type Service,
  service,
  services,
} from './bundle-files.ts';
import { startProcessor } from './harness.ts';

const run = promisify(execFile);

test('otel-collector.yaml: every signal goes otlp -> memory_limiter -> batch -> otlphttp/flywheel, each component defined', () => {
  const config = load('otel-collector.yaml') as CollectorConfig;
  const pipelines = config.service.pipelines;
  assert.deepEqual(Object.keys(pipelines).sort(), ['logs', 'metrics', 'traces']);
  for (const [signal, pipeline] of Object.entries(pipelines)) {
    assert.deepEqual(pipeline, { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlphttp/flywheel'] }, signal);
  }
  // Defined and used are the same components: nothing configured lies unused.
  const used = (kind: 'receivers' | 'processors' | 'exporters') => [...new Set(Object.values(pipelines).flatMap((p) => p[kind]))].sort();
  assert.deepEqual(Object.keys(config.receivers).sort(), used('receivers'));
  assert.deepEqual(Object.keys(config.processors).sort(), used('processors'));
  assert.deepEqual(Object.keys(config.exporters).sort(), used('exporters'));
  assert.deepEqual(Object.keys(config.extensions), config.service.extensions);
  assert.deepEqual(Object.keys(config.receivers.otlp.protocols).sort(), ['grpc', 'http']);

  const exporter = config.exporters['otlphttp/flywheel']!;
  assert.equal(exporter.endpoint, '${env:FLYWHEEL_ENDPOINT}');
  assert.equal(exporter.compression, 'gzip');
  assert.deepEqual(exporter.headers, { 'x-api-key': '${env:FLYWHEEL_API_KEY}' });
  assert.equal(exporter.retry_on_failure?.enabled, true);
  assert.equal(exporter.sending_queue?.enabled, true);
  // The collector's own metrics are served beyond loopback, for Prometheus in another container.
  assert.deepEqual(config.service.telemetry.metrics.readers, [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } }]);
  // The base file is what users copy: it names no service of the bundle's profiles.
  assert.doesNotMatch(read('otel-collector.yaml').replace(/^\s*#.*$/gm, ''), /tempo/i);
});

test('FLYWHEEL_TEMPO=on adds Tempo to the traces pipeline only; off (the default) leaves the base pipelines as they are', () => {
  assert.deepEqual(
    collectorFiles('off').map((f) => path.relative(ROOT, f)),
    ['otel-collector.yaml', 'bundle/otel-collector/tempo-off.yaml'],
  );
  assert.deepEqual(
    collectorFiles('on').map((f) => path.relative(ROOT, f)),
    ['otel-collector.yaml', 'bundle/otel-collector/tempo-on.yaml'],
  );
  for (const file of [...collectorFiles('on'), ...collectorFiles('off')]) assert.ok(existsSync(file), `${file} exists`);

  const base = load('otel-collector.yaml') as CollectorConfig;
  assert.deepEqual(collectorConfig('off'), base);

  for (const tempo of ['on', 'off'] as const) {
    const config = collectorConfig(tempo);
    for (const [signal, pipeline] of Object.entries(config.service.pipelines)) {
      for (const r of pipeline.receivers) assert.ok(r in config.receivers, `${tempo}: ${signal} receiver ${r} is defined`);
      for (const p of pipeline.processors) assert.ok(p in config.processors, `${tempo}: ${signal} processor ${p} is defined`);
      for (const e of pipeline.exporters) assert.ok(e in config.exporters, `${tempo}: ${signal} exporter ${e} is defined`);
    }
  }
  const on = collectorConfig('on');
  assert.deepEqual(on.service.pipelines.traces!.exporters, ['otlphttp/flywheel', 'otlp_grpc/tempo']);
  assert.deepEqual(on.service.pipelines.traces!.processors, ['memory_limiter', 'batch']);
  assert.deepEqual(on.service.pipelines.logs, base.service.pipelines.logs);
  assert.deepEqual(on.service.pipelines.metrics, base.service.pipelines.metrics);
  assert.equal(on.exporters['otlp_grpc/tempo']!.endpoint, 'tempo:4317');
  assert.deepEqual(on.exporters['otlphttp/flywheel'], base.exporters['otlphttp/flywheel']);

  // With Tempo off, nothing the always-on services reach lies in a profile: the bundle without
  // `--profile traces` has every service its others need.
  for (const ref of references('off')) {
    if (inProfile(ref.from)) continue;
    assert.ok(!inProfile(ref.service), `${ref.from} (${ref.what}) reaches ${ref.service}, which only runs in a profile`);
  }
  assert.deepEqual(service('tempo').profiles, ['traces']);
});

test('every host:port a service connects to is a service of the compose file listening on that port', () => {
  const ports = listening();
  assert.deepEqual(Object.keys(ports).sort(), Object.keys(services).sort());
  // The ports taken from the images' defaults are not moved by the compose file.
  assert.equal(envOf('postgres').PGPORT, undefined);
  assert.equal(envOf('grafana').GF_SERVER_HTTP_PORT, undefined);
  assert.ok(!(service('prometheus').command ?? []).some((arg) => arg.startsWith('--web.listen-address')));

  const refs = [...references('on'), ...references('off')];
  assert.deepEqual(
    [...new Set(refs.map((r) => `${r.from} -> ${r.service}:${r.port}`))].sort(),
    [
      'otel-collector -> processor:4318',
      'otel-collector -> tempo:4317',
      'processor -> postgres:5432',
      'prometheus -> otel-collector:8888',
      'prometheus -> processor:4318',
    ],
  );
  for (const ref of refs) {
    assert.ok(ports[ref.service], `${ref.from} (${ref.what}) names ${ref.service}, a service of the compose file`);
    assert.ok(ports[ref.service]!.includes(ref.port), `${ref.from} (${ref.what}) reaches ${ref.service} on ${ref.port}, where it listens`);
  }
  for (const ds of BUNDLE_DATASOURCES) {
    assert.ok(ports[ds.service]?.includes(ds.port), `datasource ${ds.uid} reaches ${ds.service}:${ds.port}, where it listens`);
    assert.equal(portOf(ds.url), ds.port);
    assert.match(ds.url, new RegExp(`^(http://)?${ds.service}:`));
  }
  for (const [name, svc] of Object.entries(services)) {
    for (const mapping of svc.ports ?? []) {
      const target = Number(mapping.split(':').at(-1));
      assert.ok(ports[name]!.includes(target), `${name} publishes ${mapping}, a port it listens on`);
    }
    for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
      const target = service(dependency);
      assert.ok(inProfile(name) || !inProfile(dependency), `${name} depends on ${dependency}, which only runs in a profile`);
      // Waiting for health needs a healthcheck; waiting for completion, a one-shot service.
      if (condition === 'service_healthy') assert.ok(target.healthcheck, `${dependency} has a healthcheck for ${name} to wait on`);
      else assert.equal(condition, 'service_completed_successfully', `${name} waits on ${dependency}`);
      if (condition === 'service_completed_successfully') assert.equal(target.restart, 'no');
    }
  }
  // The processor's database is the one the postgres service creates.
  const db = envOf('postgres');
  assert.equal(envOf('processor').DATABASE_URL, `postgres://${db.POSTGRES_USER}:${db.POSTGRES_PASSWORD}@postgres:5432/${db.POSTGRES_DB}`);
  assert.equal(db.POSTGRES_DB, GRAFANA_POSTGRES_ROLE.database);
});

test('the compose file\'s processor settings are valid and agree with the processor\'s defaults', () => {
  const env = envOf('processor');
  const config = loadConfig(env);
  assert.equal(config.port, loadConfig({}).port);
  assert.equal(config.port, 4318);
  assert.equal(config.host, '0.0.0.0');
  // Beyond loopback the processor needs keys; the collector sends one.
  assert.equal(config.auth, 'required');
  assert.equal(env.FLYWHEEL_REDACT, 'default');
  assert.equal(service('processor').build, '.');
  assert.equal(service('processor').image, undefined);
  assert.equal(envOf('otel-collector').FLYWHEEL_API_KEY, '${FLYWHEEL_API_KEY:-}');
  assert.equal(envOf('otel-collector').FLYWHEEL_ENDPOINT, `http://processor:${env.FLYWHEEL_PORT}`);
  assert.deepEqual(service('processor').healthcheck?.test, [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${config.port}/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
  ]);
  const job = prometheusConfig.scrape_configs.find((j) => j.job_name === 'flywheel-processor');
  assert.deepEqual(job, { job_name: 'flywheel-processor', metrics_path: '/metrics', static_configs: [{ targets: [`processor:${config.port}`] }] });
});

test('every image is pinned to an exact version and every long-running service has a healthcheck', () => {
  for (const [name, svc] of Object.entries(services)) {
    if (svc.build !== undefined) {
      assert.equal(svc.image, undefined, `${name} is built, not pulled`);
    } else {
      const tag = /^[\w./-]+:([\w.-]+)$/.exec(svc.image ?? '')?.[1];
      assert.ok(tag, `${name}'s image ${svc.image} has a tag`);
      // A version with at least major.minor (postgres:18 would float to every 18.x).
      assert.match(tag, /^v?\d+(\.\d+)+(-[a-z]+)?$/, `${name}'s image ${svc.image} is pinned to a version`);
    }
    if (svc.restart === 'no') {
      assert.equal(svc.healthcheck, undefined, `${name} is one-shot`);
      continue;
    }
    assert.equal(svc.restart, 'unless-stopped', `${name} is restarted`);
    const check = svc.healthcheck?.test ?? [];
    assert.ok(check[0] === 'CMD' || check[0] === 'CMD-SHELL', `${name} has a healthcheck`);
    const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(check.join(' '));
    if (url) assert.ok(listening()[name]!.includes(Number(url[1])), `${name}'s healthcheck asks a port it listens on`);
    if (check[1]?.startsWith('/probe/')) {
      // The image has no client of its own: the probe volume brings busybox.
      assert.ok(svc.volumes?.includes('probe:/probe:ro'), `${name} mounts the probe volume`);
      assert.deepEqual(svc.depends_on?.probe, { condition: 'service_completed_successfully' });
      assert.equal(check[1], '/probe/busybox');
    }
  }
  const probe = service('probe');
  assert.ok(probe.volumes?.includes('probe:/probe'));
  assert.match((probe.command ?? []).join(' '), /mv -f \/probe\/\.busybox \/probe\/busybox/);
  assert.match(probe.image ?? '', /-musl$/, 'a statically linked busybox, runnable in images without libraries');
});

test('every volume is declared and used, every mounted file exists, and Grafana is provisioned from dashboards/', () => {
  const named = new Set<string>();
  for (const [name, svc] of Object.entries(services)) {
    for (const volume of svc.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('.')) {
        // dashboards/ is filled by the dashboards' own files; all other mounts are the bundle's.
        if (source.startsWith('./dashboards/')) continue;
        assert.ok(existsSync(path.join(ROOT, source)), `${name} mounts ${source}, which exists`);
      } else {
        named.add(source);
      }
    }
  }
  assert.deepEqual([...named].sort(), Object.keys(compose.volumes).sort());
  assert.deepEqual(Object.keys(compose.volumes).sort(), ['grafana-data', 'pgdata', 'probe', 'prometheus-data', 'tempo-data']);

  assert.equal(hostPath('grafana', '/etc/grafana/provisioning'), path.join(ROOT, 'dashboards/provisioning'));
  assert.equal(hostPath('grafana', envOf('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!), path.join(ROOT, 'dashboards/json/overview.json'));
  assert.equal(hostPath('postgres', '/docker-entrypoint-initdb.d/10-grafana-role.sh'), path.join(ROOT, 'bundle/postgres-init/10-grafana-role.sh'));
  assert.equal(hostPath('prometheus', '/etc/prometheus/prometheus.yml'), path.join(ROOT, 'bundle/prometheus.yml'));
  assert.equal(hostPath('tempo', '/etc/tempo.yaml'), path.join(ROOT, 'bundle/tempo.yaml'));
  assert.deepEqual(service('prometheus').command?.filter((a) => a.startsWith('--config.file=')), ['--config.file=/etc/prometheus/prometheus.yml']);
  assert.deepEqual(service('tempo').command, ['-config.file=/etc/tempo.yaml']);
  // The Grafana role's password: required, and the same variable where it is set and where it is used.
  const required = '${FLYWHEEL_GRAFANA_PASSWORD:?set FLYWHEEL_GRAFANA_PASSWORD in .env}';
  assert.equal(envOf('postgres')[GRAFANA_POSTGRES_ROLE.passwordEnv], required);
  assert.equal(envOf('grafana')[GRAFANA_POSTGRES_ROLE.passwordEnv], required);
  assert.match(read('bundle/postgres-init/10-grafana-role.sh'), new RegExp(`ROLE ${GRAFANA_POSTGRES_ROLE.user} WITH LOGIN PASSWORD`));
});

// docker-compose (Debian's package) validates without an engine. It reads only the env given
// here (an empty env file stands in for the .env of a developer's checkout, and none of their
// shell's FLYWHEEL_* is passed).
const emptyEnvFile = path.join(mkdtempSync(path.join(tmpdir(), 'flywheel-bundle-')), 'empty.env');
writeFileSync(emptyEnvFile, '');
const dockerCompose = (args: string[], env: Record<string, string>) =>
  run('docker-compose', ['--env-file', emptyEnvFile, '-f', 'docker-compose.yml', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
after(() => rmSync(path.dirname(emptyEnvFile), { recursive: true, force: true }));

test('docker-compose accepts the file, with and without the traces profile, and refuses it without the Grafana password', async () => {
  const env = { FLYWHEEL_GRAFANA_PASSWORD: 'grafana-secret', FLYWHEEL_API_KEY: 'fw_test' };
  const checked = await dockerCompose(['config', '-q'], env);
  assert.equal(checked.stderr, '');
  await dockerCompose(['--profile', 'traces', 'config', '-q'], env);
  // Which services a profile holds, as docker-compose reads the file.
  const resolved = parse((await dockerCompose(['--profile', 'traces', 'config'], { ...env, FLYWHEEL_TEMPO: 'on' })).stdout) as {
    services: Record<string, Service>;
  };
  assert.deepEqual(
    Object.entries(resolved.services).map(([name, svc]) => `${name}: ${(svc.profiles ?? ['always']).join(',')}`).sort(),
    ['grafana: always', 'otel-collector: always', 'postgres: always', 'probe: always', 'processor: always', 'prometheus: always', 'tempo: traces'],
  );
  assert.deepEqual(resolved.services['otel-collector']!.command, ['--config=/etc/otelcol/config.yaml', '--config=/etc/otelcol/bundle/tempo-on.yaml']);
  assert.equal(resolved.services['otel-collector']!.environment!.FLYWHEEL_API_KEY, 'fw_test');
  assert.equal(resolved.services.grafana!.environment!.FLYWHEEL_GRAFANA_PASSWORD, 'grafana-secret');

  await assert.rejects(dockerCompose(['config', '-q'], { FLYWHEEL_API_KEY: 'fw_test' }), (error: { stderr: string }) => {
    assert.match(error.stderr, /set FLYWHEEL_GRAFANA_PASSWORD in \.env/);
    return true;
  });
});

test('promtool accepts bundle/prometheus.yml', async () => {
  const { stdout } = await run('promtool', ['check', 'config', 'bundle/prometheus.yml'], { cwd: ROOT });
  assert.match(stdout, /SUCCESS: bundle\/prometheus\.yml is valid prometheus config file syntax/);
});

test('the processor, started with the compose file\'s settings, answers its healthcheck and the scrape without a key, and the REST API only with one', async () => {
  // Host, port and database are the test's own; every other setting is the compose file's.
  const { DATABASE_URL: _db, FLYWHEEL_HOST: _host, FLYWHEEL_PORT: _port, ...settings } = envOf('processor');
  const processor = await startProcessor({ settings });
  try {
    const healthPath = /127\.0\.0\.1:\d+(\/\w+)/.exec(service('processor').healthcheck!.test.join(' '))![1]!;
    const ready = await fetch(`${processor.url}${healthPath}`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok' });

    const job = prometheusConfig.scrape_configs.find((j) => j.job_name === 'flywheel-processor')!;
    const scrape = await fetch(`${processor.url}${job.metrics_path}`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await scrape.text(), /^# TYPE flywheel_otlp_requests_total counter$/m);

    assert.equal((await fetch(`${processor.url}/api/interactions`)).status, 401);
  } finally {
    await processor.stop();
  }
});
