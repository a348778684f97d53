// GenAI events joined to their span. An event arrives either as a span event or as an OTLP log
// record with the span's trace and span ids (semconv v1.41 docs/gen-ai/gen-ai-events.md), in any
// order relative to the span; both become InteractionEvents. The result's order depends only on
// the events themselves, never on the order they arrived in.
import type { LogRecord, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent } from './interaction.ts';
import { stringOf } from './attribute-values.ts';
import * as semconv from './semconv.ts';

export interface JoinedEvents {
  /** GenAI events per span id, in time order. */
  bySpan: Map<string, InteractionEvent[]>;
  /**
   * gen_ai.evaluation.result records naming no span of the trace, by gen_ai.response.id: the
   * spec's fallback correlation when the evaluator had no span id.
   */
  evaluationsByResponseId: Map<string, InteractionEvent[]>;
}

interface Entry {
  event: InteractionEvent;
  /** Position among the span's events (span events), or -1 (log records). */
  index: number;
  log: LogRecord | null;
  tieKey: string | null;
}

export function isGenAiEventName(name: string): boolean {
  return name.startsWith(semconv.GEN_AI_EVENT_PREFIX);
}

/** The event name of a log record: the LogRecord.event_name field, else the `event.name` attribute. */
export function logEventName(log: LogRecord): string {
  return log.eventName !== '' ? log.eventName : (stringOf(log.attributes[semconv.ATTR_EVENT_NAME]) ?? '');
}

export function joinEvents(spans: ReadonlyMap<string, SpanRecord>, logs: readonly LogRecord[]): JoinedEvents {
  const entries = new Map<string, Entry[]>();
  for (const span of spans.values()) {
    span.events.forEach((e, index) => {
      if (!isGenAiEventName(e.name)) return;
      const event: InteractionEvent = {
        spanId: span.spanId, name: e.name, timeUnixNano: e.timeUnixNano, attributes: e.attributes, body: null,
        source: 'span_event',
      };
      append(entries, span.spanId, { event, index, log: null, tieKey: null });
    });
  }

  const evaluations: Entry[] = [];
  for (const log of logs) {
    const name = logEventName(log);
    if (!isGenAiEventName(name)) continue;
    const span = log.spanId === null ? undefined : spans.get(log.spanId);
    const joined = span !== undefined && (log.traceId === null || log.traceId === span.traceId);
    const entry: Entry = {
      event: {
        spanId: joined ? span.spanId : (log.spanId ?? ''), name,
        // time_unix_nano is optional in OTLP; observed time is always set by the collector or SDK.
        timeUnixNano: log.timeUnixNano !== 0n ? log.timeUnixNano : log.observedTimeUnixNano,
        attributes: log.attributes, body: log.body, source: 'log_record',
      },
      index: -1, log, tieKey: null,
    };
    if (joined) append(entries, span.spanId, entry);
    else if (name === semconv.EVENT_GEN_AI_EVALUATION_RESULT) evaluations.push(entry);
    // Anything else names a span that has not arrived yet; the trace is rebuilt when it does.
  }

  const bySpan = new Map<string, InteractionEvent[]>();
  for (const [spanId, list] of entries) bySpan.set(spanId, list.sort(compareEntries).map((e) => e.event));
  const evaluationsByResponseId = new Map<string, InteractionEvent[]>();
  for (const entry of evaluations.sort(compareEntries)) {
    const responseId = stringOf(entry.event.attributes[semconv.ATTR_GEN_AI_RESPONSE_ID]);
    if (responseId === null) continue;
    append(evaluationsByResponseId, responseId, entry.event);
  }
  return { bySpan, evaluationsByResponseId };
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}

/**
 * Time, then span events before log records; span events keep their order within the span; log
 * records that tie on time keep their arrival order (senders' clocks are often milliseconds),
 * then observed time, then content, so shuffled input sorts the same.
 */
function compareEntries(x: Entry, y: Entry): number {
  const byTime = compareBigint(x.event.timeUnixNano, y.event.timeUnixNano);
  if (byTime !== 0) return byTime;
  if (x.log === null || y.log === null) {
    if (x.log !== null) return 1;
    if (y.log !== null) return -1;
    return x.index - y.index;
  }
  if (x.log.arrival !== undefined && y.log.arrival !== undefined && x.log.arrival !== y.log.arrival) {
    return x.log.arrival - y.log.arrival;
  }
  const byObserved = compareBigint(x.log.observedTimeUnixNano, y.log.observedTimeUnixNano);
  if (byObserved !== 0) return byObserved;
  const kx = tieKeyOf(x);
  const ky = tieKeyOf(y);
  return kx < ky ? -1 : kx > ky ? 1 : 0;
}

function tieKeyOf(entry: Entry): string {
  entry.tieKey ??= JSON.stringify([entry.event.spanId, entry.event.name, entry.log?.severityNumber,
    entry.event.attributes, entry.event.body]);
  return entry.tieKey;
}

export function compareBigint(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
