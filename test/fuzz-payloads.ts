// Seeded generation of OTLP/HTTP requests for fuzzing the running processor: valid batches
// (protobuf from the real otlp-transformer serializers, JSON built by hand), and the same
// mutated: bit flips, truncation, inserted bytes, gzip (sound and broken), deep nesting, huge
// strings, wrong JSON types, invalid UTF-8, wrong content types and encodings; and mixed batches
// whose valid spans must be kept. One seed gives the same requests in the same order.
import { gzipSync } from 'node:zlib';
import { JsonLogsSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { spanJson, tracesRequest } from './otlp-json-builder.ts';
import { mulberry32 } from '../processor/src/mine/stats.ts';

export type Rng = () => number;

/** mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): Rng {
  return mulberry32(seed);
}

const int = (rng: Rng, max: number) => Math.floor(rng() * max);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const hex = (rng: Rng, bytes: number) => Array.from({ length: bytes }, () => int(rng, 256).toString(16).padStart(2, '0')).join('');

export interface FuzzRequest {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Trace ids whose spans are valid and must be stored when the answer is 200. */
  keeps: string[];
}

/** What the generator starts from: spans, log records and metrics recorded by the real SDK. */
export interface Seeds {
  spans: ReadableSpan[];
  logs: ReadableLogRecord[];
  metrics: ResourceMetrics;
}

function mutateBytes(rng: Rng, seed: Uint8Array): Uint8Array {
  const out = Array.from(seed);
  for (let edits = 1 + int(rng, 4); edits > 0; edits--) {
    const at = int(rng, out.length + 1);
    switch (int(rng, 5)) {
      case 0:
        if (out.length > 0) out[at % out.length]! ^= 1 << int(rng, 8);
        break;
      case 1:
        if (out.length > 0) out[at % out.length] = pick(rng, [0x00, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0x0a, 0x12, 0x22, 0x7b]);
        break;
      case 2:
        out.length = at;
        break;
      case 3:
        out.splice(at, 0, ...Array.from({ length: 1 + int(rng, 16) }, () => int(rng, 256)));
        break;
      default:
        out.splice(at, 1 + int(rng, 32));
    }
  }
  return Uint8Array.from(out);
}

const WRONG_TYPES: unknown[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', '18446744073709551616', [], [null], {}, { stringValue: 1 }, { arrayValue: 7 }];

/** Replaces 1-3 nodes of a JSON tree with values of the wrong type. */
function wrongTypes(rng: Rng, value: unknown): unknown {
  const copy: unknown = structuredClone(value);
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((c, i) => (slots.push([v as unknown as Record<number, unknown>, i]), walk(c)));
    else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) (slots.push([v as Record<string, unknown>, k]), walk(c));
  };
  walk(copy);
  for (let edits = 1 + int(rng, 3); edits > 0; edits--) {
    const [parent, key] = pick(rng, slots);
    parent[key] = structuredClone(pick(rng, WRONG_TYPES));
  }
  return copy;
}

/** A JSON agent turn of 1-4 spans with ids from `rng`. */
function jsonSpans(rng: Rng, traceId = hex(rng, 16)) {
  return Array.from({ length: 1 + int(rng, 4) }, (_, i) =>
    spanJson({
      traceId,
      spanId: hex(rng, 8),
      name: i === 0 ? 'invoke_agent fuzz' : 'chat fuzz',
      startMs: i * 10,
      endMs: i * 10 + 5,
      attributes: { 'gen_ai.operation.name': i === 0 ? 'invoke_agent' : 'chat', 'fuzz.n': int(rng, 1000) },
    }),
  );
}

/** An AnyValue nested `depth` levels deep, as kvlist or array values, as JSON text (JSON.stringify would recurse). */
function nestedValue(rng: Rng, depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    if (rng() < 0.5) {
      open += '{"kvlistValue":{"values":[{"key":"k","value":';
      close = `}]}}${close}`;
    } else {
      open += '{"arrayValue":{"values":[';
      close = `]}}${close}`;
    }
  }
  return `${open}{"stringValue":"leaf"}${close}`;
}

const serialized = new WeakMap<Seeds, Map<string, Uint8Array>>();

/** The seeds serialized once (the serializers are deterministic). */
function encoded(seeds: Seeds, what: string, serialize: () => Uint8Array): Uint8Array {
  const cache = serialized.get(seeds) ?? new Map<string, Uint8Array>();
  serialized.set(seeds, cache);
  if (!cache.has(what)) cache.set(what, serialize());
  return cache.get(what)!;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const PROTOBUF_HEADERS = { 'content-type': 'application/x-protobuf' };
const text = (s: string) => new TextEncoder().encode(s);

/** The `n`-th request of the stream the seed gives (call in order with the same rng). */
export function nextRequest(rng: Rng, seeds: Seeds, maxBodyBytes: number): FuzzRequest {
  const kinds = [
    'valid protobuf',
    'valid json',
    'mutated protobuf',
    'mutated protobuf logs',
    'mutated protobuf metrics',
    'mutated json',
    'truncated json',
    'gzip valid',
    'gzip mutated',
    'broken gzip',
    'deep nesting',
    'deep json arrays',
    'huge string',
    'over the limit',
    'wrong types',
    'invalid utf-8',
    'wrong content type',
    'wrong encoding',
    'mixed batch',
    'random bytes',
  ] as const;
  const kind = pick(rng, kinds);
  const spans = () => {
    const n = 1 + int(rng, seeds.spans.length);
    return encoded(seeds, `spans-${n}`, () => ProtobufTraceSerializer.serializeRequest(seeds.spans.slice(0, n))!);
  };
  const validJson = () => tracesRequest(jsonSpans(rng));
  switch (kind) {
    case 'valid protobuf':
      return { kind, path: '/v1/traces', headers: PROTOBUF_HEADERS, body: spans(), keeps: [] };
    case 'valid json': {
      const traceId = hex(rng, 16);
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: text(JSON.stringify(tracesRequest(jsonSpans(rng, traceId)))), keeps: [traceId] };
    }
    case 'mutated protobuf':
      return { kind, path: '/v1/traces', headers: PROTOBUF_HEADERS, body: mutateBytes(rng, spans()), keeps: [] };
    case 'mutated protobuf logs':
      return { kind, path: '/v1/logs', headers: PROTOBUF_HEADERS, body: mutateBytes(rng, encoded(seeds, 'logs', () => ProtobufLogsSerializer.serializeRequest(seeds.logs)!)), keeps: [] };
    case 'mutated protobuf metrics':
      return { kind, path: '/v1/metrics', headers: PROTOBUF_HEADERS, body: mutateBytes(rng, encoded(seeds, 'metrics', () => ProtobufMetricsSerializer.serializeRequest(seeds.metrics)!)), keeps: [] };
    case 'mutated json':
      return { kind, path: pick(rng, ['/v1/traces', '/v1/logs']), headers: JSON_HEADERS, body: mutateBytes(rng, rng() < 0.5 ? text(JSON.stringify(validJson())) : encoded(seeds, 'logs-json', () => JsonLogsSerializer.serializeRequest(seeds.logs)!)), keeps: [] };
    case 'truncated json': {
      const full = text(JSON.stringify(validJson()));
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: full.subarray(0, int(rng, full.length)), keeps: [] };
    }
    case 'gzip valid': {
      const traceId = hex(rng, 16);
      const body = gzipSync(JSON.stringify(tracesRequest(jsonSpans(rng, traceId))));
      return { kind, path: '/v1/traces', headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, body, keeps: [traceId] };
    }
    case 'gzip mutated':
      return { kind, path: '/v1/traces', headers: { ...PROTOBUF_HEADERS, 'content-encoding': 'gzip' }, body: gzipSync(mutateBytes(rng, spans())), keeps: [] };
    case 'broken gzip':
      return { kind, path: '/v1/traces', headers: { ...JSON_HEADERS, 'content-encoding': pick(rng, ['gzip', 'deflate']) }, body: mutateBytes(rng, gzipSync(JSON.stringify(validJson()))), keeps: [] };
    case 'deep nesting': {
      const request = validJson() as { resourceSpans: { scopeSpans: { spans: { attributes: unknown[] }[] }[] }[] };
      request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes.push({ key: 'deep', value: 'DEEP' });
      const deep = nestedValue(rng, pick(rng, [10, 100, 1000, 5000]));
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: text(JSON.stringify(request).replace('"DEEP"', () => deep)), keeps: [] };
    }
    case 'deep json arrays': {
      const depth = pick(rng, [1000, 10_000, 100_000]);
      return { kind, path: pick(rng, ['/v1/traces', '/v1/logs', '/v1/metrics']), headers: JSON_HEADERS, body: text(`{"resourceSpans":${'['.repeat(depth)}${']'.repeat(depth)}}`), keeps: [] };
    }
    case 'huge string': {
      const traceId = hex(rng, 16);
      const s = jsonSpans(rng, traceId);
      s[0]!.name = 'n'.repeat(Math.floor(maxBodyBytes / 4) + int(rng, Math.floor(maxBodyBytes / 4)));
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: text(JSON.stringify(tracesRequest(s))), keeps: [] };
    }
    case 'over the limit':
      return { kind, path: '/v1/traces', headers: rng() < 0.5 ? PROTOBUF_HEADERS : JSON_HEADERS, body: new Uint8Array(maxBodyBytes + 1 + int(rng, 1000)).fill(0x20), keeps: [] };
    case 'wrong types':
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: text(JSON.stringify(wrongTypes(rng, validJson()))), keeps: [] };
    case 'invalid utf-8': {
      const json = text(JSON.stringify(validJson()));
      const at = json.indexOf(0x22, int(rng, json.length)) + 1 || 1;
      const bad = pick(rng, [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80], [0x80]]);
      const body = Uint8Array.from([...json.subarray(0, at), ...bad, ...json.subarray(at)]);
      return { kind, path: '/v1/traces', headers: rng() < 0.8 ? JSON_HEADERS : PROTOBUF_HEADERS, body, keeps: [] };
    }
    case 'wrong content type':
      return { kind, path: '/v1/traces', headers: { 'content-type': pick(rng, ['text/plain', 'application/xml', 'multipart/form-data', 'application/grpc', '']) }, body: text(JSON.stringify(validJson())), keeps: [] };
    case 'wrong encoding':
      return { kind, path: '/v1/traces', headers: { ...JSON_HEADERS, 'content-encoding': pick(rng, ['br', 'zstd', 'compress', 'gzip, gzip', '\u00ff']) }, body: text(JSON.stringify(validJson())), keeps: [] };
    case 'mixed batch': {
      const good = hex(rng, 16);
      const bad = jsonSpans(rng).map((s) => ({ ...s, ...pick(rng, [{ traceId: 'zz' }, { spanId: '' }, { traceId: '00'.repeat(16) }, { startTimeUnixNano: 'soon' }]) }));
      const all = [...jsonSpans(rng, good), ...bad].sort(() => rng() - 0.5);
      return { kind, path: '/v1/traces', headers: JSON_HEADERS, body: text(JSON.stringify(tracesRequest(all))), keeps: [good] };
    }
    default:
      return { kind, path: pick(rng, ['/v1/traces', '/v1/logs', '/v1/metrics']), headers: rng() < 0.5 ? PROTOBUF_HEADERS : JSON_HEADERS, body: Uint8Array.from({ length: int(rng, 2000) }, () => int(rng, 256)), keeps: [] };
  }
}

/** Hostile query values and bodies for the REST routes. */
export const HOSTILE_VALUES = [
  '',
  '-1',
  '0',
  '99999999999999999999',
  '1e400',
  'NaN',
  'null',
  "' OR 1=1 --",
  '"; DROP TABLE spans; --',
  '%00',
  '%ff%fe',
  '%',
  '%E0%A4%A',
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '{"$gt":""}',
  '[]',
  '2026-13-45T99:99:99Z',
  'a'.repeat(5000),
  '\uD800',
];

/** `value` percent-encoded; values that are already escapes (`%ff`) go as they are, a lone surrogate as its raw UTF-8 bytes. */
export function percentEncoded(value: string): string {
  if (/^%/.test(value)) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

export function hostileQuery(rng: Rng, names: readonly string[]): string {
  const parts = Array.from({ length: int(rng, 5) }, () => {
    const name = rng() < 0.8 ? pick(rng, names) : pick(rng, ['__proto__', 'constructor', 'a[b]', '%zz', 'x'.repeat(300)]);
    const value = pick(rng, HOSTILE_VALUES);
    return `${encodeURIComponent(name).replace(/%25/g, '%')}=${percentEncoded(value)}`;
  });
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

export function hostileBody(rng: Rng): { body: string; contentType: string } {
  const choices: (() => string)[] = [
    () => '',
    () => '{',
    () => 'null',
    () => '[]',
    () => '"x"',
    () => JSON.stringify({ interactionId: pick(rng, HOSTILE_VALUES), score: pick(rng, [2, -1, 'x', null, 0.5]), correction: pick(rng, HOSTILE_VALUES) }),
    () => JSON.stringify({ uri: pick(rng, HOSTILE_VALUES), name: pick(rng, HOSTILE_VALUES), updateFrequency: pick(rng, HOSTILE_VALUES) }),
    () => JSON.stringify({ reason: pick(rng, HOSTILE_VALUES), content: pick(rng, HOSTILE_VALUES) }),
    () => JSON.stringify(Array.from({ length: 1 + int(rng, 3) }, () => ({ interactionId: hex(rng, 16) + '-' + hex(rng, 8), thumbs: 'up' }))),
    () => `${'['.repeat(5000)}${']'.repeat(5000)}`,
    () => JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: {} } }),
  ];
  return { body: pick(rng, choices)(), contentType: pick(rng, ['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded']) };
}
