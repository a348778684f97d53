import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { DataPointType, type ExponentialHistogram, type Histogram } from '@opentelemetry/sdk-metrics';
import { decodeMetrics } from '../src/otlp/decode.ts';
import type { MetricPointRecord } from '../src/otlp/records.ts';
import { otlpTypes } from '../src/otlp/schema.ts';
import { sampleMetrics } from './fixtures/otlp/sdk-metrics.ts';

const EXAMPLES = new URL('./fixtures/otlp/spec-examples/', import.meta.url);
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const nanos = ([seconds, ns]: HrTime): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(ns);

/** A point without the parts every point of a request shares, for shorter expectations. */
function pointOnly({ resource: _resource, scope: _scope, ...rest }: MetricPointRecord): Omit<MetricPointRecord, 'resource' | 'scope'> {
  return rest;
}

describe('decodeMetrics', () => {
  it('decodes the real JS exporter protobuf and JSON into the same points, matching the SDK data', async () => {
    const collected = await sampleMetrics();
    const fromProtobuf = decodeMetrics(ProtobufMetricsSerializer.serializeRequest(collected)!, 'protobuf');
    const fromJson = decodeMetrics(JsonMetricsSerializer.serializeRequest(collected)!, 'json');
    assert.deepStrictEqual(fromProtobuf, fromJson);
    assert.deepStrictEqual(fromProtobuf.rejections, []);

    const resource = { attributes: { 'service.name': 'support-agent' }, droppedAttributesCount: 0, schemaUrl: '' };
    const scope = { name: '@agent-flywheel/test', version: '1.2.3', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };
    // One record per SDK data point, in order, each checked against what the SDK collected.
    const sdkPoints = collected.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => ({ m, p }))));
    assert.equal(fromProtobuf.items.length, sdkPoints.length);
    for (const [i, { m, p }] of sdkPoints.entries()) {
      const record = fromProtobuf.items[i]!;
      assert.equal(record.name, m.descriptor.name);
      assert.equal(record.description, m.descriptor.description);
      assert.equal(record.unit, m.descriptor.unit);
      assert.deepStrictEqual(record.attributes, p.attributes);
      assert.equal(record.startTimeUnixNano, nanos(p.startTime));
      assert.equal(record.timeUnixNano, nanos(p.endTime));
      assert.deepStrictEqual(record.resource, resource);
      assert.deepStrictEqual(record.scope, scope);
      if (m.dataPointType === DataPointType.SUM || m.dataPointType === DataPointType.GAUGE) {
        assert.equal(record.value, p.value);
        assert.deepStrictEqual(record.data, {});
      } else if (m.dataPointType === DataPointType.HISTOGRAM) {
        const h = p.value as Histogram;
        assert.equal(record.value, null);
        assert.deepStrictEqual(record.data, {
          count: h.count,
          sum: h.sum,
          min: h.min,
          max: h.max,
          bucketCounts: h.buckets.counts,
          explicitBounds: h.buckets.boundaries,
        });
      } else {
        const h = p.value as ExponentialHistogram;
        assert.equal(record.value, null);
        assert.deepStrictEqual(record.data, {
          count: h.count,
          sum: h.sum,
          min: h.min,
          max: h.max,
          scale: h.scale,
          zeroCount: h.zeroCount,
          zeroThreshold: 0,
          positive: { offset: h.positive.offset, bucketCounts: h.positive.bucketCounts },
          negative: { offset: h.negative.offset, bucketCounts: h.negative.bucketCounts },
        });
      }
    }
    assert.deepStrictEqual(
      fromProtobuf.items.map((r) => [r.name, r.type, r.aggregationTemporality, r.isMonotonic, r.value]),
      [
        ['gen_ai.client.operation.duration', 'exponential_histogram', 1, false, null],
        ['gen_ai.client.token.usage', 'sum', 1, true, 412],
        ['gen_ai.client.token.usage', 'sum', 1, true, 87],
        ['agent.queue.depth', 'gauge', 0, false, 2.5],
        ['tool.call.duration', 'histogram', 1, false, null],
      ],
    );
  });

  it("decodes the specification's metrics.json example", () => {
    const { items, rejections } = decodeMetrics(readFileSync(new URL('metrics.json', EXAMPLES)), 'json');
    assert.deepStrictEqual(rejections, []);
    const t = 1544712660300000000n;
    const common = { startTimeUnixNano: t, timeUnixNano: t, flags: 0, unit: '1' };
    assert.deepStrictEqual(items.map(pointOnly), [
      {
        ...common,
        name: 'my.counter',
        description: 'I am a Counter',
        type: 'sum',
        aggregationTemporality: 1,
        isMonotonic: true,
        attributes: { 'my.counter.attr': 'some value' },
        value: 5,
        data: {},
      },
      {
        ...common,
        startTimeUnixNano: 0n,
        name: 'my.gauge',
        description: 'I am a Gauge',
        type: 'gauge',
        aggregationTemporality: 0,
        isMonotonic: false,
        attributes: { 'my.gauge.attr': 'some value' },
        value: 10,
        data: {},
      },
      {
        ...common,
        name: 'my.histogram',
        description: 'I am a Histogram',
        type: 'histogram',
        aggregationTemporality: 1,
        isMonotonic: false,
        attributes: { 'my.histogram.attr': 'some value' },
        value: null,
        data: { count: 2, sum: 2, min: 0, max: 2, bucketCounts: [1, 1], explicitBounds: [1] },
      },
      {
        ...common,
        name: 'my.exponential.histogram',
        description: 'I am an Exponential Histogram',
        type: 'exponential_histogram',
        aggregationTemporality: 1,
        isMonotonic: false,
        attributes: { 'my.exponential.histogram.attr': 'some value' },
        value: null,
        data: {
          count: 3,
          sum: 10,
          min: 0,
          max: 5,
          scale: 0,
          zeroCount: 1,
          zeroThreshold: 0,
          positive: { offset: 1, bucketCounts: [0, 2] },
          negative: { offset: 0, bucketCounts: [] },
        },
      },
    ]);
    assert.deepStrictEqual(items[0]!.scope.attributes, { 'my.scope.attribute': 'some scope attribute' });
  });

  describe('what the JS SDK does not send: summaries, exemplars, NaN, huge integers, negative buckets', () => {
    const traceId = 'ab'.repeat(16);
    const spanId = 'cd'.repeat(8);
    const jsonRequest = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'rpc.latency',
                  summary: {
                    dataPoints: [
                      {
                        timeUnixNano: '5',
                        count: '3',
                        sum: 'NaN',
                        quantileValues: [{ quantile: 0.5, value: 'NaN' }, { quantile: 1, value: 'Infinity' }, {}],
                        flags: 1,
                      },
                    ],
                  },
                },
                {
                  name: 'bytes.total',
                  sum: {
                    aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
                    isMonotonic: true,
                    dataPoints: [
                      {
                        asInt: '9007199254740993',
                        exemplars: [
                          {
                            timeUnixNano: '7',
                            asDouble: 1.5,
                            spanId,
                            traceId,
                            filteredAttributes: [{ key: 'k', value: { stringValue: 'v' } }],
                          },
                          { timeUnixNano: '8', asInt: '-3', traceId: '00'.repeat(16), spanId },
                        ],
                      },
                      {}, // no value recorded
                    ],
                  },
                },
                {
                  name: 'skew',
                  exponentialHistogram: {
                    dataPoints: [
                      { count: '4', scale: -2, zeroThreshold: 0.001, negative: { offset: -3, bucketCounts: ['1', '3'] } },
                    ],
                  },
                },
                { name: 'no.sum', histogram: { dataPoints: [{ count: '0' }] } },
                { name: 'no.data' },
              ],
            },
          ],
        },
      ],
    };
    const hexBytes = (s: string): Buffer => Buffer.from(s, 'hex');
    const protobufRequest = {
      resource_metrics: [
        {
          scope_metrics: [
            {
              metrics: [
                {
                  name: 'rpc.latency',
                  summary: {
                    data_points: [
                      {
                        time_unix_nano: '5',
                        count: '3',
                        sum: NaN,
                        quantile_values: [{ quantile: 0.5, value: NaN }, { quantile: 1, value: Infinity }, {}],
                        flags: 1,
                      },
                    ],
                  },
                },
                {
                  name: 'bytes.total',
                  sum: {
                    aggregation_temporality: 2,
                    is_monotonic: true,
                    data_points: [
                      {
                        as_int: '9007199254740993',
                        exemplars: [
                          {
                            time_unix_nano: '7',
                            as_double: 1.5,
                            span_id: hexBytes(spanId),
                            trace_id: hexBytes(traceId),
                            filtered_attributes: [{ key: 'k', value: { string_value: 'v' } }],
                          },
                          { time_unix_nano: '8', as_int: '-3', trace_id: hexBytes('00'.repeat(16)), span_id: hexBytes(spanId) },
                        ],
                      },
                      {},
                    ],
                  },
                },
                {
                  name: 'skew',
                  exponential_histogram: {
                    data_points: [{ count: '4', scale: -2, zero_threshold: 0.001, negative: { offset: -3, bucket_counts: [1, 3] } }],
                  },
                },
                { name: 'no.sum', histogram: { data_points: [{ count: '0' }] } },
                { name: 'no.data' },
              ],
            },
          ],
        },
      ],
    };
    const expected = [
      {
        name: 'rpc.latency',
        type: 'summary',
        value: null,
        flags: 1,
        timeUnixNano: 5n,
        data: {
          count: 3,
          sum: 'NaN',
          quantileValues: [
            { quantile: 0.5, value: 'NaN' },
            { quantile: 1, value: 'Infinity' },
            { quantile: 0, value: 0 },
          ],
        },
      },
      {
        name: 'bytes.total',
        type: 'sum',
        value: 9007199254740992, // the nearest number; data keeps the exact integer
        flags: 0,
        timeUnixNano: 0n,
        data: {
          asInt: '9007199254740993',
          exemplars: [
            { timeUnixNano: '7', value: 1.5, filteredAttributes: { k: 'v' }, traceId, spanId },
            { timeUnixNano: '8', value: -3, filteredAttributes: {} },
          ],
        },
      },
      { name: 'bytes.total', type: 'sum', value: null, flags: 0, timeUnixNano: 0n, data: {} },
      {
        name: 'skew',
        type: 'exponential_histogram',
        value: null,
        flags: 0,
        timeUnixNano: 0n,
        data: {
          count: 4,
          scale: -2,
          zeroCount: 0,
          zeroThreshold: 0.001,
          positive: { offset: 0, bucketCounts: [] },
          negative: { offset: -3, bucketCounts: [1, 3] },
        },
      },
      {
        name: 'no.sum',
        type: 'histogram',
        value: null,
        flags: 0,
        timeUnixNano: 0n,
        data: { count: 0, bucketCounts: [], explicitBounds: [] },
      },
    ];
    const summarize = (r: MetricPointRecord) => ({
      name: r.name,
      type: r.type,
      value: r.value,
      flags: r.flags,
      timeUnixNano: r.timeUnixNano,
      data: r.data,
    });

    it('decodes them from JSON, non-finite doubles in data as OTLP/JSON strings', () => {
      const decoded = decodeMetrics(json(jsonRequest), 'json');
      assert.deepStrictEqual(decoded.items.map(summarize), expected);
      assert.deepStrictEqual(
        decoded.items.map((r) => [r.aggregationTemporality, r.isMonotonic]),
        [
          [0, false],
          [2, true],
          [2, true],
          [0, false],
          [0, false],
        ],
      );
    });

    it('decodes them from protobuf into the same records', () => {
      const body = otlpTypes.metricsRequest.encode(protobufRequest).finish();
      assert.deepStrictEqual(decodeMetrics(body, 'protobuf'), decodeMetrics(json(jsonRequest), 'json'));
    });
  });
});
