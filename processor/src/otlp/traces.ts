// A decoded ExportTraceServiceRequest to SpanRecords, rejecting spans whose ids or timestamps
// are unusable (opentelemetry-proto trace.proto, Span): the rest is kept and the client told through
// partial_success. Enum fields (kind, status.code) are open in proto3: any value is kept.
import type { Decoded, RejectReason, Rejection, ResourceRecord, ScopeRecord, SpanEventRecord, SpanLinkRecord, SpanRecord } from './records.ts';
import { toAttributes } from './any-value.ts';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, hexId, idProblem, isEmptyId, isZeroId } from './ids.ts';
import { int64ToBigInt, timestampOrUnknown, timestampToBigInt } from './int64.ts';
import { toResourceRecord, toScopeRecord } from './resource.ts';
import type { WireEvent, WireId, WireInt64, WireLink, WireSpan, WireTraceRequest } from './wire.ts';

const NONE: readonly never[] = [];

/** Every span of the request in order; each rejected one is named by its index in it. */
export function spansFromRequest(request: WireTraceRequest): Decoded<SpanRecord> {
  const items: SpanRecord[] = [];
  const rejections: Rejection[] = [];
  let index = 0;
  for (const resourceSpans of request.resource_spans ?? NONE) {
    const resource = toResourceRecord(resourceSpans.resource, resourceSpans.schema_url);
    for (const scopeSpans of resourceSpans.scope_spans ?? NONE) {
      const scope = toScopeRecord(scopeSpans.scope, scopeSpans.schema_url);
      for (const span of scopeSpans.spans ?? NONE) {
        const record = toSpanRecord(span, resource, scope);
        if (record instanceof SpanProblem) rejections.push({ index, reason: record.reason, message: record.message });
        else items.push(record);
        index++;
      }
    }
  }
  return { items, rejections };
}

/** Why a span cannot be stored: the first check it failed. */
class SpanProblem {
  constructor(
    readonly reason: RejectReason,
    readonly message: string,
  ) {}
}

/**
 * The span as a record, or the first of its checks that fails. The checks, in order: traceId,
 * spanId, startTimeUnixNano, endTimeUnixNano, parentSpanId. Each value is read once, by its check.
 */
function toSpanRecord(span: WireSpan, resource: ResourceRecord, scope: ScopeRecord): SpanRecord | SpanProblem {
  const traceId = hexId(span.trace_id, TRACE_ID_BYTES);
  if (traceId === null) return new SpanProblem('invalid_trace_id', idProblem('traceId', span.trace_id, TRACE_ID_BYTES));
  const spanId = hexId(span.span_id, SPAN_ID_BYTES);
  if (spanId === null) return new SpanProblem('invalid_span_id', idProblem('spanId', span.span_id, SPAN_ID_BYTES));
  const startTimeUnixNano = timestampToBigInt(span.start_time_unix_nano);
  if (startTimeUnixNano === null) return timeProblem('startTimeUnixNano', span.start_time_unix_nano);
  const endTimeUnixNano = timestampToBigInt(span.end_time_unix_nano);
  if (endTimeUnixNano === null) return timeProblem('endTimeUnixNano', span.end_time_unix_nano);
  const parentSpanId = parentOf(span.parent_span_id);
  if (parentSpanId === undefined) {
    return new SpanProblem('invalid_parent_span_id', idProblem('parentSpanId', span.parent_span_id, SPAN_ID_BYTES));
  }

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

/** The parent as hex, null for a root span, undefined when the id is unusable. */
function parentOf(id: WireId | undefined): string | null | undefined {
  if (isEmptyId(id)) return null;
  const parent = hexId(id, SPAN_ID_BYTES);
  if (parent !== null) return parent;
  // An all-zero parent is the W3C "invalid" span id, which senders use for "no parent".
  return isZeroId(id, SPAN_ID_BYTES) ? null : undefined;
}

function timeProblem(field: string, value: WireInt64 | undefined): SpanProblem {
  return new SpanProblem('invalid_time', `${field} must be from 0 to 2^63-1 nanoseconds, got ${int64ToBigInt(value)}`);
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
