// Builds SpanRecord and LogRecord fixtures for the normalize tests: plain values, times given in
// milliseconds after a fixed base, ids from small numbers.
import type { AttributeValue, Attributes, LogRecord, ResourceRecord, ScopeRecord, SpanRecord, StatusCode } from '../src/otlp/records.ts';
import { mulberry32 } from '../src/mine/stats.ts';

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
/** 2026-05-01T00:00:00Z in nanoseconds. */
export const BASE_NANOS = 1_777_593_600_000_000_000n;

/** Nanosecond timestamp `ms` milliseconds after the base (fractions allowed down to 1 µs). */
export function at(ms: number): bigint {
  return BASE_NANOS + BigInt(Math.round(ms * 1000)) * 1000n;
}

/** A 16-hex-digit span id from a small number. */
export function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function resource(serviceName = 'order-agent', serviceVersion = '1.4.0'): ResourceRecord {
  return {
    attributes: { 'service.name': serviceName, 'service.version': serviceVersion },
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
}

const SCOPE: ScopeRecord = { name: 'test', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };

export interface SpanSpec {
  id: number;
  parent?: number | null;
  name: string;
  start: number;
  end: number;
  attributes?: Attributes;
  events?: { name: string; at: number; attributes?: Attributes }[];
  status?: { code: StatusCode; message?: string };
  /** 3 = CLIENT, 1 = INTERNAL. */
  kind?: number;
  traceId?: string;
}

export function span(spec: SpanSpec): SpanRecord {
  return {
    traceId: spec.traceId ?? TRACE_ID,
    spanId: sid(spec.id),
    parentSpanId: spec.parent === undefined || spec.parent === null ? null : sid(spec.parent),
    traceState: '',
    name: spec.name,
    kind: spec.kind ?? 1,
    startTimeUnixNano: at(spec.start),
    endTimeUnixNano: at(spec.end),
    attributes: spec.attributes ?? {},
    droppedAttributesCount: 0,
    events: (spec.events ?? []).map((e) => ({
      timeUnixNano: at(e.at),
      name: e.name,
      attributes: e.attributes ?? {},
      droppedAttributesCount: 0,
    })),
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: spec.status?.code ?? 0, message: spec.status?.message ?? '' },
    flags: 1,
    resource: resource(),
    scope: SCOPE,
  };
}

export interface LogSpec {
  /** Span the record was emitted in; null for an uncorrelated record. */
  span: number | null;
  at: number;
  /** LogRecord.event_name. */
  eventName?: string;
  attributes?: Attributes;
  body?: AttributeValue;
  traceId?: string | null;
}

export function log(spec: LogSpec): LogRecord {
  return {
    timeUnixNano: at(spec.at),
    observedTimeUnixNano: at(spec.at),
    severityNumber: 9,
    severityText: 'INFO',
    body: spec.body ?? null,
    attributes: spec.attributes ?? {},
    droppedAttributesCount: 0,
    flags: 1,
    traceId: spec.traceId === undefined ? TRACE_ID : spec.traceId,
    spanId: spec.span === null ? null : sid(spec.span),
    eventName: spec.eventName ?? '',
    resource: resource(),
    scope: SCOPE,
  };
}

/** A deterministic shuffle (mulberry32), so a failing seed can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
