// Loads the traces captured from other instrumentation libraries (fixtures/peers/, see its
// README): the spans and log records of one trace as the processor stored them, back as records.
import { readFileSync } from 'node:fs';
import type { LogRecord, SpanRecord } from '../src/otlp/records.ts';
import type { InteractionEvent } from '../src/normalize/interaction.ts';
import { joinEvents } from '../src/normalize/events.ts';
import { type LogRow, rowToLog, rowToSpan, type SpanRow } from '../src/store/telemetry/rows.ts';

export interface CapturedTrace {
  spans: SpanRecord[];
  logs: LogRecord[];
  /** The one span whose name is `name` (throws when there is not exactly one). */
  span(name: string): SpanRecord;
  /** Every span named `name`, in start order. */
  spansNamed(name: string): SpanRecord[];
  /** The GenAI events (span events and log records) joined to a span, as adapters receive them. */
  eventsOf(span: SpanRecord): InteractionEvent[];
}

export function capturedTrace(name: string): CapturedTrace {
  const raw = JSON.parse(readFileSync(new URL(`./fixtures/peers/${name}.json`, import.meta.url), 'utf8')) as {
    spans: SpanRow[];
    logs: LogRow[];
  };
  const spans = raw.spans.map(rowToSpan);
  const logs = raw.logs.map(rowToLog);
  const joined = joinEvents(new Map(spans.map((s) => [s.spanId, s])), logs).bySpan;
  const spansNamed = (spanName: string) => spans.filter((s) => s.name === spanName);
  return {
    spans,
    logs,
    spansNamed,
    span(spanName) {
      const found = spansNamed(spanName);
      if (found.length !== 1) throw new Error(`${name}: ${found.length} spans named ${spanName}`);
      return found[0] as SpanRecord;
    },
    eventsOf: (span) => joined.get(span.spanId) ?? [],
  };
}
