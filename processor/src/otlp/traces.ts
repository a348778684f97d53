// A decoded ExportTraceServiceRequest to SpanRecords, rejecting spans whose ids are unusable
// (otlp-http.md §6): the rest of the batch is kept and the client told through partial_success.
// Enum fields (kind, status.code) are open in proto3: any value is kept.
import type { Decoded, ResourceRecord, ScopeRecord, SpanEventRecord, SpanLinkRecord, SpanRecord } from './records.ts';
import { toAttributes } from './any-value.ts';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, hexId, idProblem, isEmptyId, isZeroId } from './ids.ts';
import { int64ToBigInt, timestampOrUnknown, timestampToBigInt } from './int64.ts';
import { toResourceRecord, toScopeRecord } from './resource.ts';
import type { WireEvent, WireLink, WireSpan, WireTraceRequest } from './wire.ts';

const NONE: readonly never[] = [];

/** Every span of the request in order; `errors` names rejected spans by their index in it. */
export function spansFromRequest(request: WireTraceRequest): Decoded<SpanRecord> {
  const items: SpanRecord[] = [];
  const errors: string[] = [];
  let index = 0;
  for (const resourceSpans of request.resource_spans ?? NONE) {
    const resource = toResourceRecord(resourceSpans.resource, resourceSpans.schema_url);
    for (const scopeSpans of resourceSpans.scope_spans ?? NONE) {
      const scope = toScopeRecord(scopeSpans.scope, scopeSpans.schema_url);
      for (const span of scopeSpans.spans ?? NONE) {
        const record = toSpanRecord(span, resource, scope);
        if (record === null) errors.push(`span ${index}: ${spanProblem(span)}`);
        else items.push(record);
        index++;
      }
    }
  }
  return { items, rejected: errors.length, errors };
}

/** The span as a record, or null when it must be rejected (spanProblem says why). */
function toSpanRecord(span: WireSpan, resource: ResourceRecord, scope: ScopeRecord): SpanRecord | null {
  const traceId = hexId(span.trace_id, TRACE_ID_BYTES);
  const spanId = hexId(span.span_id, SPAN_ID_BYTES);
  if (traceId === null || spanId === null) return null;
  let parentSpanId: string | null = null;
  if (!isEmptyId(span.parent_span_id)) {
    parentSpanId = hexId(span.parent_span_id, SPAN_ID_BYTES);
    // An all-zero parent is the W3C "invalid" span id, which senders use for "no parent".
    if (parentSpanId === null && !isZeroId(span.parent_span_id, SPAN_ID_BYTES)) return null;
  }
  const startTimeUnixNano = timestampToBigInt(span.start_time_unix_nano);
  const endTimeUnixNano = timestampToBigInt(span.end_time_unix_nano);
  if (startTimeUnixNano === null || endTimeUnixNano === null) return null;

  const links = span.links ?? NONE;
  const linkRecords: SpanLinkRecord[] = [];
  let droppedLinksCount = span.dropped_links_count ?? 0;
  for (let i = 0; i < links.length; i++) {
    const link = toLinkRecord(links[i]!);
    // A link without usable ids points nowhere; count it as dropped rather than fail the span.
    if (link === null) droppedLinksCount++;
    else linkRecords.push(link);
  }
  const events = span.events ?? NONE;
  const eventRecords: SpanEventRecord[] = new Array<SpanEventRecord>(events.length);
  for (let i = 0; i < events.length; i++) eventRecords[i] = toEventRecord(events[i]!);

  return {
    traceId,
    spanId,
    parentSpanId,
    traceState: span.trace_state ?? '',
    name: span.name ?? '',
    kind: span.kind ?? 0,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: toAttributes(span.attributes),
    droppedAttributesCount: span.dropped_attributes_count ?? 0,
    events: eventRecords,
    droppedEventsCount: span.dropped_events_count ?? 0,
    links: linkRecords,
    droppedLinksCount,
    status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
    flags: span.flags ?? 0,
    resource,
    scope,
  };
}

/** Why toSpanRecord rejected the span, e.g. "traceId must be 16 bytes, got 12". */
function spanProblem(span: WireSpan): string {
  if (hexId(span.trace_id, TRACE_ID_BYTES) === null) return idProblem('traceId', span.trace_id, TRACE_ID_BYTES);
  if (hexId(span.span_id, SPAN_ID_BYTES) === null) return idProblem('spanId', span.span_id, SPAN_ID_BYTES);
  for (const [field, value] of [
    ['startTimeUnixNano', span.start_time_unix_nano],
    ['endTimeUnixNano', span.end_time_unix_nano],
  ] as const) {
    if (timestampToBigInt(value) === null) return `${field} must be from 0 to 2^63-1 nanoseconds, got ${int64ToBigInt(value)}`;
  }
  return idProblem('parentSpanId', span.parent_span_id, SPAN_ID_BYTES);
}

function toEventRecord(event: WireEvent): SpanEventRecord {
  return {
    timeUnixNano: timestampOrUnknown(event.time_unix_nano),
    name: event.name ?? '',
    attributes: toAttributes(event.attributes),
    droppedAttributesCount: event.dropped_attributes_count ?? 0,
  };
}

function toLinkRecord(link: WireLink): SpanLinkRecord | null {
  const traceId = hexId(link.trace_id, TRACE_ID_BYTES);
  const spanId = hexId(link.span_id, SPAN_ID_BYTES);
  if (traceId === null || spanId === null) return null;
  return {
    traceId,
    spanId,
    traceState: link.trace_state ?? '',
    attributes: toAttributes(link.attributes),
    droppedAttributesCount: link.dropped_attributes_count ?? 0,
    flags: link.flags ?? 0,
  };
}
