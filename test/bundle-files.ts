// The bundle's files as its services see them: docker-compose.yml, the collector's config as its
// command line merges it, what each service listens on and every host:port one service
// connects to. Read once, at import; bundle-config.test.ts cross-checks them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const read = (file: string) => readFileSync(path.resolve(ROOT, file), 'utf8');
export const load = (file: string): unknown => parse(read(file));

export interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  restart?: string;
}
export const compose = load('docker-compose.yml') as { services: Record<string, Service>; volumes: Record<string, unknown> };
export const services = compose.services;
export const service = (name: string): Service => {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has a service ${name}`);
  return found;
};
export const envOf = (name: string): Record<string, string> => service(name).environment ?? {};

/** Compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error} from `env`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, op?: string, arg?: string) => {
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    if (op === '?') throw new Error(arg);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** The file of the repository a service sees at `containerPath`, through its bind mounts. */
export function hostPath(name: string, containerPath: string): string {
  for (const volume of service(name).volumes ?? []) {
    const [source, target] = volume.split(':') as [string, string];
    if (!source.startsWith('.')) continue;
    if (containerPath === target) return path.join(ROOT, source);
    if (containerPath.startsWith(`${target}/`)) return path.join(ROOT, source, containerPath.slice(target.length + 1));
  }
  throw new Error(`${name} mounts nothing of the repository at ${containerPath}`);
}

// --- the collector's configuration, as its command line assembles it ---

type Conf = Record<string, unknown>;
const isMap = (value: unknown): value is Conf => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The collector's merge of several --config files: maps merge key by key; lists and scalars are replaced. */
function mergeConf(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const merged: Conf = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = key in base ? mergeConf(base[key], value) : value;
  return merged;
}

export interface CollectorConfig {
  extensions: { health_check: { endpoint: string } };
  receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint: string; headers?: Record<string, string>; compression?: string; retry_on_failure?: { enabled: boolean }; sending_queue?: { enabled: boolean } }>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    telemetry: { metrics: { readers: { pull: { exporter: { prometheus: { host: string; port: number } } } }[] } };
  };
}

/** The files the collector's command names with FLYWHEEL_TEMPO set to `tempo`, as paths in the repository. */
export function collectorFiles(tempo: 'on' | 'off'): string[] {
  const command = service('otel-collector').command ?? [];
  return command.map((arg) => {
    const file = /^--config=(.+)$/.exec(interpolate(arg, { FLYWHEEL_TEMPO: tempo }))?.[1];
    assert.ok(file, `the collector's arguments are --config files, got ${arg}`);
    return hostPath('otel-collector', file);
  });
}

export function collectorConfig(tempo: 'on' | 'off'): CollectorConfig {
  return collectorFiles(tempo)
    .map((file) => parse(readFileSync(file, 'utf8')) as unknown)
    .reduce((merged, next) => mergeConf(merged, next)) as CollectorConfig;
}

/** ${env:NAME} in the collector's config, from the collector service's environment. */
const collectorEnv = (value: string) =>
  value.replace(/\$\{env:(\w+)\}/g, (_match, name: string) => {
    const given = envOf('otel-collector')[name];
    assert.ok(given !== undefined, `the collector's environment sets ${name}`);
    return given;
  });

export const portOf = (endpoint: string) => {
  const port = /:(\d+)(?:\/.*)?$/.exec(endpoint)?.[1];
  assert.ok(port, `${endpoint} names a port`);
  return Number(port);
};

// --- what each service listens on, read from its own configuration ---

const tempoConfig = load('bundle/tempo.yaml') as {
  server: { http_listen_port: number };
  distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
};
export const prometheusConfig = load('bundle/prometheus.yml') as {
  scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
};

export function listening(): Record<string, number[]> {
  const collector = collectorConfig('on');
  return {
    // The images' defaults, none of them changed by the compose file (asserted below).
    postgres: [5432],
    prometheus: [9090],
    grafana: [3000],
    processor: [Number(envOf('processor').FLYWHEEL_PORT)],
    'otel-collector': [
      ...Object.values(collector.receivers.otlp.protocols).map((p) => portOf(p.endpoint)),
      portOf(collector.extensions.health_check.endpoint),
      ...collector.service.telemetry.metrics.readers.map((r) => r.pull.exporter.prometheus.port),
    ],
    tempo: [tempoConfig.server.http_listen_port, portOf(tempoConfig.distributor.receivers.otlp.protocols.grpc.endpoint)],
    probe: [],
  };
}

export interface Reference {
  from: string;
  what: string;
  service: string;
  port: number;
}

/** Every host:port one service of the bundle connects to, with FLYWHEEL_TEMPO set to `tempo`. */
export function references(tempo: 'on' | 'off'): Reference[] {
  const found: Reference[] = [];
  for (const [name, svc] of Object.entries(services)) {
    for (const [key, value] of Object.entries(svc.environment ?? {})) {
      const url = /^[a-z]+:\/\/(?:[^@/]*@)?([\w.-]+):(\d+)/.exec(value);
      if (url) found.push({ from: name, what: `${key}=${value}`, service: url[1]!, port: Number(url[2]) });
    }
  }
  const collector = collectorConfig(tempo);
  const used = new Set(Object.values(collector.service.pipelines).flatMap((p) => p.exporters));
  for (const id of used) {
    const endpoint = collectorEnv(collector.exporters[id]!.endpoint);
    const hostPort = /^(?:[a-z]+:\/\/)?([\w.-]+):(\d+)/.exec(endpoint);
    assert.ok(hostPort, `exporter ${id} sends to host:port, got ${endpoint}`);
    found.push({ from: 'otel-collector', what: `exporter ${id}`, service: hostPort[1]!, port: Number(hostPort[2]) });
  }
  for (const job of prometheusConfig.scrape_configs) {
    for (const target of job.static_configs.flatMap((c) => c.targets)) {
      const [host, port] = target.split(':');
      found.push({ from: 'prometheus', what: `scrape job ${job.job_name}`, service: host!, port: Number(port) });
    }
  }
  return found;
}

export const inProfile = (name: string) => (service(name).profiles ?? []).length > 0;
