// A decoded ExportMetricsServiceRequest to one MetricPointRecord per data point. Gauge and sum
// points put their number in `value`; everything else about a point goes to `data` as plain JSON
// with OTLP/JSON's lowerCamelCase names, int64s per records.ts's rule (number, or exact decimal
// string beyond 2^53), ids as hex, and NaN/±Infinity as OTLP/JSON's "NaN", "Infinity",
// "-Infinity" so that `data` survives JSON.stringify (Prometheus summaries report NaN quantiles).
import type { AttributeValue, Decoded, MetricPointRecord, MetricType, ResourceRecord, ScopeRecord } from './records.ts';
import { toAttributes } from './any-value.ts';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, hexId } from './ids.ts';
import { int64ToBigInt, int64ToJson, int64ToNumber, timestampOrUnknown } from './int64.ts';
import { toResourceRecord, toScopeRecord } from './resource.ts';
import type {
  WireBuckets,
  WireExemplar,
  WireExponentialHistogramPoint,
  WireHistogramPoint,
  WireInt64,
  WireMetric,
  WireMetricsRequest,
  WireNumberPoint,
  WirePointBase,
  WireSummaryPoint,
} from './wire.ts';

type Json = { [key: string]: AttributeValue };

const NONE: readonly never[] = [];
const hasOwn = Object.hasOwn;

/** Every data point of the request, in order. Points are never rejected. */
export function metricPointsFromRequest(request: WireMetricsRequest): Decoded<MetricPointRecord> {
  const items: MetricPointRecord[] = [];
  for (const resourceMetrics of request.resource_metrics ?? NONE) {
    const resource = toResourceRecord(resourceMetrics.resource, resourceMetrics.schema_url);
    for (const scopeMetrics of resourceMetrics.scope_metrics ?? NONE) {
      const scope = toScopeRecord(scopeMetrics.scope, scopeMetrics.schema_url);
      for (const metric of scopeMetrics.metrics ?? NONE) pushPoints(items, metric, resource, scope);
    }
  }
  return { items, rejections: [] };
}

function pushPoints(items: MetricPointRecord[], metric: WireMetric, resource: ResourceRecord, scope: ScopeRecord): void {
  const at = { metric, resource, scope };
  if (metric.gauge != null) {
    for (const p of metric.gauge.data_points ?? NONE) items.push(numberPoint(at, 'gauge', 0, false, p));
  } else if (metric.sum != null) {
    const { aggregation_temporality: temporality = 0, is_monotonic: monotonic = false } = metric.sum;
    for (const p of metric.sum.data_points ?? NONE) items.push(numberPoint(at, 'sum', temporality, monotonic, p));
  } else if (metric.histogram != null) {
    const temporality = metric.histogram.aggregation_temporality ?? 0;
    for (const p of metric.histogram.data_points ?? NONE) {
      items.push(point(at, 'histogram', temporality, false, p, null, histogramData(p)));
    }
  } else if (metric.exponential_histogram != null) {
    const temporality = metric.exponential_histogram.aggregation_temporality ?? 0;
    for (const p of metric.exponential_histogram.data_points ?? NONE) {
      items.push(point(at, 'exponential_histogram', temporality, false, p, null, exponentialHistogramData(p)));
    }
  } else if (metric.summary != null) {
    for (const p of metric.summary.data_points ?? NONE) items.push(point(at, 'summary', 0, false, p, null, summaryData(p)));
  }
  // A metric with no data set carries no points: nothing to keep or to count.
}

interface PointContext {
  metric: WireMetric;
  resource: ResourceRecord;
  scope: ScopeRecord;
}

function point(
  at: PointContext,
  type: MetricType,
  aggregationTemporality: number,
  isMonotonic: boolean,
  p: WirePointBase,
  value: number | null,
  data: Json,
): MetricPointRecord {
  return {
    name: at.metric.name ?? '',
    description: at.metric.description ?? '',
    unit: at.metric.unit ?? '',
    type,
    aggregationTemporality,
    isMonotonic,
    attributes: toAttributes(p.attributes),
    startTimeUnixNano: timestampOrUnknown(p.start_time_unix_nano),
    timeUnixNano: timestampOrUnknown(p.time_unix_nano),
    value,
    data,
    flags: p.flags ?? 0,
    resource: at.resource,
    scope: at.scope,
  };
}

/** Gauge and sum points: `value` is as_double or as_int, null when neither is set. */
function numberPoint(
  at: PointContext,
  type: 'gauge' | 'sum',
  temporality: number,
  monotonic: boolean,
  p: WireNumberPoint,
): MetricPointRecord {
  const data: Json = {};
  let value: number | null = null;
  if (hasOwn(p, 'as_double')) {
    value = p.as_double!;
  } else if (hasOwn(p, 'as_int')) {
    value = int64ToNumber(p.as_int);
    const exact = int64ToJson(p.as_int);
    // `value` is a number; keep the exact integer when it is beyond 2^53.
    if (typeof exact === 'string') data.asInt = exact;
  }
  addExemplars(data, p.exemplars);
  return point(at, type, temporality, monotonic, p, value, data);
}

function histogramData(p: WireHistogramPoint): Json {
  const data: Json = { count: int64ToJson(p.count) };
  addOptionalDoubles(data, p);
  data.bucketCounts = int64List(p.bucket_counts);
  data.explicitBounds = doubleList(p.explicit_bounds);
  addExemplars(data, p.exemplars);
  return data;
}

function exponentialHistogramData(p: WireExponentialHistogramPoint): Json {
  const data: Json = { count: int64ToJson(p.count) };
  addOptionalDoubles(data, p);
  data.scale = p.scale ?? 0;
  data.zeroCount = int64ToJson(p.zero_count);
  data.zeroThreshold = jsonDouble(p.zero_threshold ?? 0);
  data.positive = bucketsData(p.positive);
  data.negative = bucketsData(p.negative);
  addExemplars(data, p.exemplars);
  return data;
}

function summaryData(p: WireSummaryPoint): Json {
  const quantiles = p.quantile_values ?? NONE;
  const quantileValues: Json[] = new Array<Json>(quantiles.length);
  for (let i = 0; i < quantiles.length; i++) {
    const q = quantiles[i]!;
    quantileValues[i] = { quantile: jsonDouble(q.quantile ?? 0), value: jsonDouble(q.value ?? 0) };
  }
  return { count: int64ToJson(p.count), sum: jsonDouble(p.sum ?? 0), quantileValues };
}

/** sum, min and max are optional on histograms: present only when the sender set them. */
function addOptionalDoubles(data: Json, p: WireHistogramPoint | WireExponentialHistogramPoint): void {
  if (hasOwn(p, 'sum')) data.sum = jsonDouble(p.sum!);
  if (hasOwn(p, 'min')) data.min = jsonDouble(p.min!);
  if (hasOwn(p, 'max')) data.max = jsonDouble(p.max!);
}

/** An unset Buckets message means no counts on that side of zero. */
function bucketsData(buckets: WireBuckets | null | undefined): Json {
  return { offset: buckets?.offset ?? 0, bucketCounts: int64List(buckets?.bucket_counts) };
}

/** Exemplars, when there are any: time, value, filtered attributes and ids. */
function addExemplars(data: Json, exemplars: readonly WireExemplar[] | undefined): void {
  if (exemplars === undefined || exemplars.length === 0) return;
  const out: Json[] = new Array<Json>(exemplars.length);
  for (let i = 0; i < exemplars.length; i++) {
    const e = exemplars[i]!;
    const exemplar: Json = { timeUnixNano: int64ToBigInt(e.time_unix_nano).toString() };
    if (hasOwn(e, 'as_double')) exemplar.value = jsonDouble(e.as_double!);
    else if (hasOwn(e, 'as_int')) exemplar.value = int64ToJson(e.as_int);
    exemplar.filteredAttributes = toAttributes(e.filtered_attributes);
    // As on log records: unusable ids are left out, and a span id needs its trace id.
    const traceId = hexId(e.trace_id, TRACE_ID_BYTES);
    if (traceId !== null) {
      exemplar.traceId = traceId;
      const spanId = hexId(e.span_id, SPAN_ID_BYTES);
      if (spanId !== null) exemplar.spanId = spanId;
    }
    out[i] = exemplar;
  }
  data.exemplars = out;
}

function int64List(values: readonly WireInt64[] | undefined): AttributeValue[] {
  if (values === undefined) return [];
  const out: AttributeValue[] = new Array<AttributeValue>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = int64ToJson(values[i]);
  return out;
}

function doubleList(values: readonly number[] | undefined): AttributeValue[] {
  if (values === undefined) return [];
  const out: AttributeValue[] = new Array<AttributeValue>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = jsonDouble(values[i]!);
  return out;
}

/** A double as JSON can hold it: OTLP/JSON's strings for the values JSON has no number for. */
function jsonDouble(n: number): number | string {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}
