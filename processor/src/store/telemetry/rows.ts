// Conversions between decoded OTLP records and rows of the spans / log_records /
// metric_points tables. Bigints travel as decimal strings (JSON has no int64).
import { createHash } from 'node:crypto';
import type {
  Attributes,
  AttributeValue,
  LogRecord,
  MetricPointRecord,
  ResourceRecord,
  ScopeRecord,
  SpanEventRecord,
  SpanLinkRecord,
  SpanRecord,
  StatusCode,
} from '../../otlp/records.ts';

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  status_code: number;
  status_message: string;
  trace_state: string;
  flags: number;
  attributes: Attributes;
  events: { timeUnixNano: string; name: string; attributes: Attributes; droppedAttributesCount: number }[];
  links: SpanLinkRecord[];
  dropped_attributes_count: number;
  dropped_events_count: number;
  dropped_links_count: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
  service_name: string | null;
}

export function spanToRow(span: SpanRecord): SpanRow {
  const serviceName = span.resource.attributes['service.name'];
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start_time_unix_nano: span.startTimeUnixNano.toString(),
    end_time_unix_nano: span.endTimeUnixNano.toString(),
    status_code: span.status.code,
    status_message: span.status.message,
    trace_state: span.traceState,
    flags: span.flags,
    attributes: span.attributes,
    events: span.events.map((e) => ({ ...e, timeUnixNano: e.timeUnixNano.toString() })),
    links: span.links,
    dropped_attributes_count: span.droppedAttributesCount,
    dropped_events_count: span.droppedEventsCount,
    dropped_links_count: span.droppedLinksCount,
    resource: span.resource,
    scope: span.scope,
    service_name: typeof serviceName === 'string' ? serviceName : null,
  };
}

/** A row as node-postgres returns it (bigint columns arrive as strings). */
export function rowToSpan(row: SpanRow): SpanRecord {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    traceState: row.trace_state,
    name: row.name,
    kind: row.kind,
    startTimeUnixNano: BigInt(row.start_time_unix_nano),
    endTimeUnixNano: BigInt(row.end_time_unix_nano),
    attributes: row.attributes,
    droppedAttributesCount: row.dropped_attributes_count,
    events: row.events.map(
      (e): SpanEventRecord => ({ ...e, timeUnixNano: BigInt(e.timeUnixNano) }),
    ),
    droppedEventsCount: row.dropped_events_count,
    links: row.links,
    droppedLinksCount: row.dropped_links_count,
    status: { code: row.status_code as StatusCode, message: row.status_message },
    flags: Number(row.flags),
    resource: row.resource,
    scope: row.scope,
  };
}

export interface LogRow {
  content_hash: string;
  trace_id: string | null;
  span_id: string | null;
  time_unix_nano: string;
  observed_time_unix_nano: string;
  severity_number: number;
  severity_text: string;
  event_name: string;
  body: AttributeValue;
  attributes: Attributes;
  dropped_attributes_count: number;
  flags: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
  /** Present on rows read back (bigint identity, as a string). */
  arrival?: string;
}

export function logToRow(log: LogRecord): LogRow {
  const row: Omit<LogRow, 'content_hash'> = {
    trace_id: log.traceId,
    span_id: log.spanId,
    time_unix_nano: log.timeUnixNano.toString(),
    observed_time_unix_nano: log.observedTimeUnixNano.toString(),
    severity_number: log.severityNumber,
    severity_text: log.severityText,
    event_name: log.eventName,
    body: log.body,
    attributes: log.attributes,
    dropped_attributes_count: log.droppedAttributesCount,
    flags: log.flags,
    resource: log.resource,
    scope: log.scope,
  };
  return { content_hash: contentHash(row), ...row };
}

export function rowToLog(row: LogRow): LogRecord {
  return {
    timeUnixNano: BigInt(row.time_unix_nano),
    observedTimeUnixNano: BigInt(row.observed_time_unix_nano),
    severityNumber: row.severity_number,
    severityText: row.severity_text,
    body: row.body,
    attributes: row.attributes,
    droppedAttributesCount: row.dropped_attributes_count,
    flags: Number(row.flags),
    traceId: row.trace_id,
    spanId: row.span_id,
    eventName: row.event_name,
    resource: row.resource,
    scope: row.scope,
    ...(row.arrival === undefined ? {} : { arrival: Number(row.arrival) }),
  };
}

export interface MetricPointRow {
  content_hash: string;
  name: string;
  description: string;
  unit: string;
  type: string;
  aggregation_temporality: number;
  is_monotonic: boolean;
  attributes: Attributes;
  start_time_unix_nano: string;
  time_unix_nano: string;
  value: number | null;
  data: Record<string, AttributeValue>;
  flags: number;
  resource: ResourceRecord;
  scope: ScopeRecord;
}

export function metricPointToRow(point: MetricPointRecord): MetricPointRow {
  const row: Omit<MetricPointRow, 'content_hash'> = {
    name: point.name,
    description: point.description,
    unit: point.unit,
    type: point.type,
    aggregation_temporality: point.aggregationTemporality,
    is_monotonic: point.isMonotonic,
    attributes: point.attributes,
    start_time_unix_nano: point.startTimeUnixNano.toString(),
    time_unix_nano: point.timeUnixNano.toString(),
    // JSON cannot carry NaN/Infinity; such gauge values are kept in `data` only.
    value: point.value !== null && Number.isFinite(point.value) ? point.value : null,
    data: point.data,
    flags: point.flags,
    resource: point.resource,
    scope: point.scope,
  };
  return { content_hash: contentHash(row), ...row };
}

/**
 * Serializes rows for a `json` query parameter. Postgres text and jsonb cannot hold NUL
 * characters or lone UTF-16 surrogates, which OTLP/JSON senders can smuggle in as escapes;
 * they become U+FFFD instead of failing the whole batch. The check is on the output, so
 * the common case costs one scan. Rows carry no bigints (they are strings already).
 */
export function toPostgresJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!UNSAFE_ESCAPE.test(json)) return json;
  return JSON.stringify(JSON.parse(json), (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll('\0', '\uFFFD').toWellFormed() : v,
  );
}

const UNSAFE_ESCAPE = /\\u(0000|d[89a-f])/i;

function contentHash(row: object): string {
  return createHash('sha256').update(toJson(row)).digest('hex');
}

// The columns ingest writes and reads back, one list per table, each held to its row type.
const columns = <R>(names: readonly (keyof R & string)[]) => names.join(', ');

export const SPAN_COLUMNS = columns<SpanRow>([
  'trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_time_unix_nano', 'end_time_unix_nano', 'status_code',
  'status_message', 'trace_state', 'flags', 'attributes', 'events', 'links', 'dropped_attributes_count',
  'dropped_events_count', 'dropped_links_count', 'resource', 'scope', 'service_name',
]);

export const LOG_COLUMNS = columns<LogRow>([
  'content_hash', 'trace_id', 'span_id', 'time_unix_nano', 'observed_time_unix_nano', 'severity_number', 'severity_text',
  'event_name', 'body', 'attributes', 'dropped_attributes_count', 'flags', 'resource', 'scope',
]);

export const METRIC_COLUMNS = columns<MetricPointRow>([
  'content_hash', 'name', 'description', 'unit', 'type', 'aggregation_temporality', 'is_monotonic', 'attributes',
  'start_time_unix_nano', 'time_unix_nano', 'value', 'data', 'flags', 'resource', 'scope',
]);
