// Adapter for Mastra (`@mastra/core` agents and workflows traced by `@mastra/observability`,
// exported by `@mastra/otel-exporter`): GenAI semconv spans, read by the GenAI semconv adapter,
// plus `mastra.*` keys that carry what the semconv names leave out. This adapter reads those.
// Read from @mastra/core 1.71.0, @mastra/observability 1.17.9 and @mastra/otel-exporter 1.4.0
// (processor/test/fixtures/peers/mastra-*).
//
// Quirks (@mastra/otel-exporter dist/index.js, getOperationName and the span converter):
// - Only the model call span (`model_inference`, or `model_generation` with older @mastra/core)
//   gets `gen_ai.input.messages` / `gen_ai.output.messages`; every other span's input and output
//   is written as `mastra.<span type>.input` / `.output`, JSON unless a string. The agent run's
//   input is the user's text or messages as the app passed them to generate()/stream(), its
//   output `{text, files, ...}`: the interaction's user input and response.
// - With @mastra/core 1.71 the model call span has output messages but no input (the inference
//   span's own input is not set); its step (`agent_step`) holds the step's prompt with tool calls
//   and results flattened to the text `[tool: name]`, and is not read as a model call.
// - `gen_ai.operation.name` is a span type lower-cased for the spans between the run and its
//   calls (`model_generation`, `agent_step`, `model_chunk`): no semconv operation, so no
//   interaction of their own; they fold into the run.
// - `gen_ai.provider.name` is the AI SDK provider id (`openai.chat`, `openai.responses`): its first
//   segment is the provider.
// - A model call's first chunk is the ISO time `mastra.completion_start_time` (Mastra streams
//   every call, generate() too): the time to first token is its distance from the span's start.
// - The run's memory thread is `gen_ai.conversation.id`; the resource (user) id is not exported.
// - The run's trace joins the caller's only through `tracingOptions: {traceId, parentSpanId}`:
//   Mastra does not read the active OTel context without its OTel bridge.
import type { SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { stringOf } from './attribute-values.ts';
import { messagesOf } from './messages.ts';
import * as semconv from './semconv.ts';

export const name = 'mastra';
export const priority = 45;

// --- Mastra attribute names (@mastra/otel-exporter 1.4.0) ---
const SCOPE = '@mastra/otel-exporter';
const SPAN_TYPE = 'mastra.span.type';
const COMPLETION_START_TIME = 'mastra.completion_start_time';
/** SpanType values of @mastra/core (observability/types/tracing) whose span is the run. */
const AGENT_RUN = 'agent_run';
const WORKFLOW_RUN = 'workflow_run';

const RUN_OPERATIONS: Readonly<Record<string, string>> = {
  [AGENT_RUN]: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  [WORKFLOW_RUN]: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
};

export function matches(span: SpanRecord): boolean {
  return span.attributes[SPAN_TYPE] !== undefined || span.scope.name === SCOPE;
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const type = stringOf(a[SPAN_TYPE]);
  const provider = stringOf(a[semconv.ATTR_GEN_AI_PROVIDER_NAME]);
  facts.provider = provider === null ? null : (provider.toLowerCase().split('.')[0] || null);
  facts.timeToFirstTokenMs = timeToFirstTokenOf(span);
  if (type === null) return facts;
  facts.operation = RUN_OPERATIONS[type] ?? null;
  if (facts.operation !== null) {
    facts.inputMessages = messagesOf(a[`mastra.${type}.input`], 'user');
    facts.outputMessages = messagesOf(a[`mastra.${type}.output`], 'assistant');
  }
  return facts;
}

/** Milliseconds from the span's start to `mastra.completion_start_time`, or null when absent or unreadable. */
function timeToFirstTokenOf(span: SpanRecord): number | null {
  const iso = stringOf(span.attributes[COMPLETION_START_TIME]);
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return Math.max(0, ms - Number(span.startTimeUnixNano / 1_000_000n));
}
