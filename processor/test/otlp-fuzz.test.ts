// Fuzzing the decoding door, after the Collector's otlpreceiver/fuzz_test.go: mutated and random
// bodies in both encodings must decode into well-formed records or throw OtlpDecodeError, never
// anything else. Deterministic (seeded), so a failure names the case that reproduces it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { decodeLogs, decodeMetrics, decodeTraces, type OtlpEncoding } from '../src/otlp/decode.ts';
import { OtlpDecodeError } from '../src/otlp/decode-error.ts';
import { type Decoded, type LogRecord, type MetricPointRecord, REJECT_REASONS, type SpanRecord } from '../src/otlp/records.ts';
import { sampleLogRecords } from './fixtures/otlp/sdk-logs.ts';
import { sampleMetrics } from './fixtures/otlp/sdk-metrics.ts';
import { sampleSpans } from './fixtures/otlp/sdk-spans.ts';
import { mulberry32 } from '../src/mine/stats.ts';

const ITERATIONS = 2000;
const SEED = 0x5eed;
const EXAMPLES = new URL('./fixtures/otlp/spec-examples/', import.meta.url);

const random = mulberry32;

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number): number => Math.floor(rng() * max);

function mutateBytes(rng: Rng, seed: Uint8Array): Uint8Array {
  const out = Array.from(seed);
  const edits = 1 + int(rng, 3);
  for (let e = 0; e < edits; e++) {
    const at = int(rng, out.length + 1);
    switch (int(rng, 6)) {
      case 0: // flip a bit
        if (out.length > 0) out[at % out.length]! ^= 1 << int(rng, 8);
        break;
      case 1: // overwrite with an interesting byte
        if (out.length > 0) out[at % out.length] = pick(rng, [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0x7b, 0x5b, 0x22]);
        break;
      case 2: // truncate
        out.length = at;
        break;
      case 3: // insert random bytes
        out.splice(at, 0, ...Array.from({ length: 1 + int(rng, 8) }, () => int(rng, 256)));
        break;
      case 4: // duplicate a slice
        out.splice(at, 0, ...out.slice(int(rng, out.length + 1), int(rng, out.length + 1)));
        break;
      default: // delete a slice
        out.splice(at, 1 + int(rng, 16));
    }
  }
  return Uint8Array.from(out);
}

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 64,
  '',
  'NaN',
  'x',
  '-0',
  '18446744073709551616',
  'ZZ'.repeat(16),
  'SPAN_KIND_CLIENT',
  [],
  [null],
  {},
  { stringValue: 1 },
  { arrayValue: { values: [{}] } },
  { key: 'k' },
];

/** A value of the same JSON type: reaches the checks made after parsing, such as id validity. */
function sameType(rng: Rng, old: unknown): unknown {
  if (typeof old === 'string') {
    return pick(rng, ['', 'NaN', '-Infinity', '7', '-7', 'AB'.repeat(16), '00'.repeat(8), 'zz', 'ab'.repeat(12), old.toUpperCase(), old.slice(1)]);
  }
  if (typeof old === 'number') return pick(rng, [0, -1, 3, 2.5, 2 ** 53 + 2, 4294967296, -(2 ** 31)]);
  if (typeof old === 'boolean') return !old;
  if (Array.isArray(old)) return pick(rng, [[], [...old, ...old], old.slice(1)]);
  return {};
}

/** Replaces nodes of the JSON tree: with odd values to reach the type checks, or same-typed ones. */
function mutateJson(rng: Rng, seed: unknown): unknown {
  const copy: unknown = structuredClone(seed);
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((child, i) => {
        nodes.push({ parent: value, key: i });
        walk(child);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        nodes.push({ parent: value as Record<string, unknown>, key });
        walk(child);
      }
    }
  };
  walk(copy);
  for (let edits = 1 + int(rng, 3); edits > 0 && nodes.length > 0; edits--) {
    const { parent, key } = pick(rng, nodes);
    const slot = parent as Record<string | number, unknown>;
    slot[key] = rng() < 0.5 ? sameType(rng, slot[key]) : structuredClone(pick(rng, ODD_VALUES));
  }
  return copy;
}

const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;

const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31;

/** What records.ts promises, checked on whatever the decoders made of a mutated body. */
function checkDecoded(decoded: Decoded<SpanRecord | LogRecord | MetricPointRecord>, signal: string): void {
  assert.ok(Array.isArray(decoded.items));
  // Rejections carry a reason from the closed set (a bounded metric label), in request order.
  let previous = -1;
  for (const rejection of decoded.rejections) {
    assert.ok(REJECT_REASONS.includes(rejection.reason), `unknown reason ${rejection.reason}`);
    assert.ok(Number.isInteger(rejection.index) && rejection.index > previous);
    assert.notEqual(rejection.message, '');
    previous = rejection.index;
  }
  if (signal !== 'traces') assert.deepStrictEqual(decoded.rejections, []);
  for (const item of decoded.items) {
    if (signal === 'traces') {
      const span = item as SpanRecord;
      assert.match(span.traceId, HEX_32);
      assert.notEqual(span.traceId, '0'.repeat(32));
      assert.match(span.spanId, HEX_16);
      assert.ok(span.parentSpanId === null || HEX_16.test(span.parentSpanId));
      // Enums are open (proto3): any int32 is kept, not only the known 0, 1, 2.
      assert.ok(isInt32(span.status.code), `status.code ${span.status.code}`);
      assert.ok(isInt32(span.kind), `kind ${span.kind}`);
      assert.equal(typeof span.startTimeUnixNano, 'bigint');
      for (const link of span.links) assert.match(link.traceId, HEX_32);
    } else if (signal === 'logs') {
      const log = item as LogRecord;
      assert.ok(log.traceId === null || HEX_32.test(log.traceId));
      assert.ok(log.spanId === null || (log.traceId !== null && HEX_16.test(log.spanId)));
      assert.equal(typeof log.timeUnixNano, 'bigint');
    } else {
      const point = item as MetricPointRecord;
      assert.ok(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'].includes(point.type));
      assert.doesNotThrow(() => JSON.stringify(point.data));
    }
  }
}

it(`${ITERATIONS} mutated and random bodies either decode to valid records or throw OtlpDecodeError`, async () => {
  const decoders = { traces: decodeTraces, logs: decodeLogs, metrics: decodeMetrics } as const;
  const spans = await sampleSpans();
  const logs = await sampleLogRecords();
  const metrics = await sampleMetrics();
  const example = (name: string): Uint8Array => readFileSync(new URL(name, EXAMPLES));
  const seeds: { signal: keyof typeof decoders; encoding: OtlpEncoding; body: Uint8Array }[] = [
    { signal: 'traces', encoding: 'protobuf', body: ProtobufTraceSerializer.serializeRequest(spans)! },
    { signal: 'traces', encoding: 'json', body: JsonTraceSerializer.serializeRequest(spans)! },
    { signal: 'traces', encoding: 'json', body: example('trace.json') },
    { signal: 'logs', encoding: 'protobuf', body: ProtobufLogsSerializer.serializeRequest(logs)! },
    { signal: 'logs', encoding: 'json', body: JsonLogsSerializer.serializeRequest(logs)! },
    { signal: 'logs', encoding: 'json', body: example('events.json') },
    { signal: 'metrics', encoding: 'protobuf', body: ProtobufMetricsSerializer.serializeRequest(metrics)! },
    { signal: 'metrics', encoding: 'json', body: JsonMetricsSerializer.serializeRequest(metrics)! },
    { signal: 'metrics', encoding: 'json', body: example('metrics.json') },
  ];
  const rng = random(SEED);
  const outcomes = { decoded: 0, rejected: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = seeds[i % seeds.length]!;
    let body: Uint8Array;
    const strategy = int(rng, 10);
    if (strategy === 0) body = Uint8Array.from({ length: int(rng, 64) }, () => int(rng, 256));
    else if (strategy <= 5 && seed.encoding === 'json') {
      body = new TextEncoder().encode(JSON.stringify(mutateJson(rng, JSON.parse(new TextDecoder().decode(seed.body)))));
    } else body = mutateBytes(rng, seed.body);
    const shown = Buffer.from(body.subarray(0, 96)).toString('base64');
    const context = `case ${i} (seed ${SEED}): ${seed.signal} ${seed.encoding}, body starting ${shown}`;
    try {
      checkDecoded(decoders[seed.signal](body, seed.encoding), seed.signal);
      outcomes.decoded++;
    } catch (err) {
      if (!(err instanceof OtlpDecodeError)) assert.fail(`${context}: threw ${err instanceof Error ? err.stack : String(err)}`);
      outcomes.rejected++;
    }
  }
  // Both outcomes must have been exercised for the fuzzing to mean anything.
  assert.ok(outcomes.decoded > ITERATIONS / 10, `only ${outcomes.decoded} bodies decoded`);
  assert.ok(outcomes.rejected > ITERATIONS / 10, `only ${outcomes.rejected} bodies were rejected`);
});
