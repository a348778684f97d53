// Adapter for @opentelemetry/instrumentation-openai, the opentelemetry-js-contrib package, as it
// emits today (0.22.0; its README and src/instrumentation.ts): GenAI semconv spans, of v1.36 for Chat
// Completions (`gen_ai.system`) and of v1.38 for Responses, with message content only in OTLP log
// records (the per-message `gen_ai.*.message` / `gen_ai.choice` events, and
// `gen_ai.client.inference.operation.details` for Responses). The GenAI semconv adapter reads
// all of that; this one corrects what the package writes differently from the spec.
// Read from its spans and log records with openai 6.49.0 (processor/test/fixtures/peers/contrib-openai-*).
//
// Quirks, from its dist/responses.cjs:
// - A Responses function-call part's `id` is the output item's id (`fc_...`); the id that the
//   tool result refers to is in an extra `call_id`. That one becomes the part's id.
// - Reasoning summaries are written `{type: "reasoning", text}`; semconv says `content`.
// Not emitted (src/instrumentation.ts): cache and reasoning tokens, tool definitions, session and
// user ids, time to first token; streamed usage only when the app sets stream_options.include_usage.
import type { AttributeValue, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { stringOf } from './attribute-values.ts';
import type { MessagePart } from './messages.ts';
import { messagesFromEvents } from './genai-semconv-events.ts';

export const name = 'contrib-openai';
export const priority = 20;

/** The instrumentation scope of its tracer, meter and logger. */
const SCOPE = '@opentelemetry/instrumentation-openai';

export function matches(span: SpanRecord): boolean {
  return span.scope.name === SCOPE;
}

export function toSpanFacts(_span: SpanRecord, events: readonly InteractionEvent[]): SpanFacts {
  const facts = emptySpanFacts();
  if (events.length === 0) return facts;
  const content = messagesFromEvents(events);
  facts.systemInstructions = content.systemInstructions;
  facts.inputMessages = corrected(content.input);
  facts.outputMessages = corrected(content.output);
  return facts;
}

function corrected(messages: Message[] | null): Message[] | null {
  return messages === null ? null : messages.map((m) => ({ ...m, parts: m.parts.map(correctedPart) }));
}

function correctedPart(part: MessagePart): MessagePart {
  const callId = stringOf(part['call_id']);
  if (callId !== null) {
    const { call_id: _callId, ...rest } = part;
    return { ...rest, id: callId };
  }
  if (part.type === 'reasoning' && part['content'] === undefined && part['text'] !== undefined) {
    const { text, ...rest } = part;
    return { ...rest, content: text as AttributeValue };
  }
  return part;
}
