// Plain records decoded from OTLP requests. Both codecs (protobuf and JSON) yield exactly
// these shapes, so every later stage is independent of the wire encoding.

/**
 * An OTLP AnyValue as plain JSON: string, boolean, number, array, object (kvlist) or null
 * (the empty value). int64 values outside Number's safe range are kept exact as decimal
 * strings; bytes are base64 strings.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

/** Attribute key -> value. On duplicate keys the last one wins. */
export type Attributes = Record<string, AttributeValue>;

export interface ResourceRecord {
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface ScopeRecord {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface SpanEventRecord {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

/**
 * OTLP Status.code: 0 unset, 1 ok, 2 error. Any other int32 is kept as received: proto3 enums
 * are open (opentelemetry-proto trace/v1/trace.proto, Status.StatusCode), so a newer sender's
 * value is data, not an error.
 */
export type StatusCode = number;

export interface SpanRecord {
  /** 32 lowercase hex characters, never all zero. */
  traceId: string;
  /** 16 lowercase hex characters, never all zero. */
  spanId: string;
  /** 16 lowercase hex characters, or null for a root span. */
  parentSpanId: string | null;
  traceState: string;
  name: string;
  /**
   * OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer; any
   * other int32 as received (an open enum, trace/v1/trace.proto Span.SpanKind).
   */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEventRecord[];
  droppedEventsCount: number;
  links: SpanLinkRecord[];
  droppedLinksCount: number;
  status: { code: StatusCode; message: string };
  flags: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
}

export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  /** SeverityNumber 0 to 24; any other int32 as received (an open enum, logs/v1/logs.proto). */
  severityNumber: number;
  severityText: string;
  body: AttributeValue;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  /** Null when absent or invalid: the record is then not correlated to a span. */
  traceId: string | null;
  spanId: string | null;
  /** LogRecord.event_name; empty when the record is not an event (see also `event.name`). */
  eventName: string;
  /**
   * Arrival order, set when the record is read back from the store: records that tie on
   * their timestamps were sent in this order. Absent on freshly decoded records.
   */
  arrival?: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface MetricPointRecord {
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  /**
   * Sum/histogram aggregation temporality: 0 unspecified, 1 delta, 2 cumulative; any other int32
   * as received (an open enum, metrics/v1/metrics.proto AggregationTemporality).
   */
  aggregationTemporality: number;
  isMonotonic: boolean;
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** The number for gauge and sum points; null for the distribution types. */
  value: number | null;
  /** The rest of the point (count, sum, buckets, quantiles, exemplars...) as plain JSON. */
  data: { [key: string]: AttributeValue };
  flags: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
}

/**
 * Why a span was rejected: a closed set, so that it can label a metric (the message says the
 * rest). Log records and data points are never rejected (logs.ts, metrics.ts).
 */
export const REJECT_REASONS = ['invalid_trace_id', 'invalid_span_id', 'invalid_time', 'invalid_parent_span_id'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** One rejected item of a request. */
export interface Rejection {
  /** Position of the item in the request, counted across its resource and scope wrappers. */
  index: number;
  reason: RejectReason;
  /** What is wrong, for the sender: e.g. "traceId must be 16 bytes, got 12". */
  message: string;
}

/** What a decoder returns: the valid items, and each rejected one in request order. */
export interface Decoded<T> {
  items: T[];
  rejections: Rejection[];
}
