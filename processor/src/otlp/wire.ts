// The decoded request trees both codecs hand to the record builders (traces.ts, logs.ts,
// metrics.ts). Keys are the proto field names. The protobuf codec yields protobufjs messages,
// whose unset scalars read as proto3 defaults from the prototype and unset messages as null;
// the JSON codec yields plain objects that simply lack unset keys. Hence every field is optional,
// and the builders read `x ?? default`. Nothing outside otlp/ sees these trees.

/**
 * A 64-bit integer. From protobuf: a bigint for fixed64/sfixed64 (OtlpReader reads them so), a
 * protobufjs Long for varint int64/uint64. From JSON: a bigint (from a string) or a number.
 */
export type WireInt64 = WireLong | bigint | number;

/** The part of long.js's Long that we read; also the prototype default of unset 64-bit fields. */
export interface WireLong {
  low: number;
  high: number;
  unsigned: boolean;
}

/** trace_id / span_id / parent_span_id: raw bytes from protobuf, hex text from JSON. */
export type WireId = Uint8Array | string;

type List<T> = readonly T[];

/**
 * AnyValue: exactly one member is set, and for the scalars only own-property presence says which
 * (protobufjs keeps proto3 defaults on the prototype), so read these with Object.hasOwn.
 */
export interface WireAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: WireInt64;
  double_value?: number;
  array_value?: WireArrayValue | null;
  kvlist_value?: WireKeyValueList | null;
  bytes_value?: Uint8Array;
}
export interface WireArrayValue {
  values?: List<WireAnyValue>;
}
export interface WireKeyValueList {
  values?: List<WireKeyValue>;
}
export interface WireKeyValue {
  key?: string;
  value?: WireAnyValue | null;
}
export interface WireResource {
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
}
export interface WireScope {
  name?: string;
  version?: string;
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
}

export interface WireTraceRequest {
  resource_spans?: List<WireResourceSpans>;
}
export interface WireResourceSpans {
  resource?: WireResource | null;
  scope_spans?: List<WireScopeSpans>;
  schema_url?: string;
}
export interface WireScopeSpans {
  scope?: WireScope | null;
  spans?: List<WireSpan>;
  schema_url?: string;
}
export interface WireSpan {
  trace_id?: WireId;
  span_id?: WireId;
  trace_state?: string;
  parent_span_id?: WireId;
  flags?: number;
  name?: string;
  kind?: number;
  start_time_unix_nano?: WireInt64;
  end_time_unix_nano?: WireInt64;
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
  events?: List<WireEvent>;
  dropped_events_count?: number;
  links?: List<WireLink>;
  dropped_links_count?: number;
  status?: WireStatus | null;
}
export interface WireEvent {
  time_unix_nano?: WireInt64;
  name?: string;
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
}
export interface WireLink {
  trace_id?: WireId;
  span_id?: WireId;
  trace_state?: string;
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
  flags?: number;
}
export interface WireStatus {
  message?: string;
  code?: number;
}

export interface WireLogsRequest {
  resource_logs?: List<WireResourceLogs>;
}
export interface WireResourceLogs {
  resource?: WireResource | null;
  scope_logs?: List<WireScopeLogs>;
  schema_url?: string;
}
export interface WireScopeLogs {
  scope?: WireScope | null;
  log_records?: List<WireLogRecord>;
  schema_url?: string;
}
export interface WireLogRecord {
  time_unix_nano?: WireInt64;
  observed_time_unix_nano?: WireInt64;
  severity_number?: number;
  severity_text?: string;
  body?: WireAnyValue | null;
  attributes?: List<WireKeyValue>;
  dropped_attributes_count?: number;
  flags?: number;
  trace_id?: WireId;
  span_id?: WireId;
  event_name?: string;
}

export interface WireMetricsRequest {
  resource_metrics?: List<WireResourceMetrics>;
}
export interface WireResourceMetrics {
  resource?: WireResource | null;
  scope_metrics?: List<WireScopeMetrics>;
  schema_url?: string;
}
export interface WireScopeMetrics {
  scope?: WireScope | null;
  metrics?: List<WireMetric>;
  schema_url?: string;
}
export interface WireMetric {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { data_points?: List<WireNumberPoint> } | null;
  sum?: { data_points?: List<WireNumberPoint>; aggregation_temporality?: number; is_monotonic?: boolean } | null;
  histogram?: { data_points?: List<WireHistogramPoint>; aggregation_temporality?: number } | null;
  exponential_histogram?: {
    data_points?: List<WireExponentialHistogramPoint>;
    aggregation_temporality?: number;
  } | null;
  summary?: { data_points?: List<WireSummaryPoint> } | null;
}
/** Fields every data point type shares. */
export interface WirePointBase {
  attributes?: List<WireKeyValue>;
  start_time_unix_nano?: WireInt64;
  time_unix_nano?: WireInt64;
  flags?: number;
}
/** as_double / as_int are a oneof: read them with Object.hasOwn, as for AnyValue. */
export interface WireNumberPoint extends WirePointBase {
  as_double?: number;
  as_int?: WireInt64;
  exemplars?: List<WireExemplar>;
}
/** sum, min and max have explicit presence: read them with Object.hasOwn. */
export interface WireHistogramPoint extends WirePointBase {
  count?: WireInt64;
  sum?: number;
  bucket_counts?: List<WireInt64>;
  explicit_bounds?: List<number>;
  exemplars?: List<WireExemplar>;
  min?: number;
  max?: number;
}
export interface WireBuckets {
  offset?: number;
  bucket_counts?: List<WireInt64>;
}
export interface WireExponentialHistogramPoint extends WirePointBase {
  count?: WireInt64;
  sum?: number;
  scale?: number;
  zero_count?: WireInt64;
  positive?: WireBuckets | null;
  negative?: WireBuckets | null;
  exemplars?: List<WireExemplar>;
  min?: number;
  max?: number;
  zero_threshold?: number;
}
export interface WireSummaryPoint extends WirePointBase {
  count?: WireInt64;
  sum?: number;
  quantile_values?: List<{ quantile?: number; value?: number }>;
}
export interface WireExemplar {
  filtered_attributes?: List<WireKeyValue>;
  time_unix_nano?: WireInt64;
  as_double?: number;
  as_int?: WireInt64;
  span_id?: WireId;
  trace_id?: WireId;
}
