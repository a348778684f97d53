// Adapter for Langfuse's OTel SDK (langfuse/langfuse-js v4+): spans of the `langfuse-sdk` tracer
// of @langfuse/tracing (startObservation / startActiveObservation / observe, and @langfuse/openai's
// observeOpenAI), exported through @langfuse/otel's LangfuseSpanProcessor with any OTLP exporter.
// They carry no gen_ai.* key: what the observation is, says and costs is in `langfuse.observation.*`
// (LangfuseOtelSpanAttributes, @langfuse/core dist/index.mjs), values written by
// createObservationAttributes (@langfuse/tracing dist/index.mjs): strings as they are, anything else
// as its JSON. Read from @langfuse/tracing, @langfuse/otel and @langfuse/openai 5.11.1
// (processor/test/fixtures/peers/langfuse-*).
//
// Quirks:
// - `langfuse.observation.usage_details` is one JSON string of Langfuse usage types. observeOpenAI
//   writes `input` and `output` *net* of their details: `input` = prompt_tokens minus every
//   `prompt_tokens_details` entry, each written as `input_<detail>`, likewise `output`
//   (parseUsageDetails, @langfuse/openai dist/index.mjs). The OpenAI counts are the sums of the
//   `input*` and of the `output*` types; cache reads are `input_cached_tokens`, reasoning
//   `output_reasoning_tokens`.
// - `langfuse.observation.model.name` is written at the start with the requested model and
//   overwritten, with the output, by the answering one (observeOpenAI's generation.update with
//   parseModelDataFromResponse): the one value left is the response model when the observation
//   has an output, else (a failed call) the requested one. A call that succeeded keeps no
//   requested model.
// - observeOpenAI's generation input is `{messages, tools?}` (parseInputArgs) and its output the
//   first choice's `message` alone: no finish reason.
// - The observation type (`langfuse.observation.type`) says what a span is; an observation's name
//   is the span's name: an `agent` is named by it, a `tool` too.
// - An observation whose function throws gets the OTel error status (startActiveObservation,
//   wrapPromise in @langfuse/tracing): the run fails with it. observeOpenAI's failed generation
//   only gets level `ERROR` and a status message (`langfuse.observation.level`,
//   `.status_message`), no span status: it is not read as a failure.
// - Trace-level user and session ids (propagateAttributes) are the general `user.id` and
//   `session.id` keys, read by shared-attributes.ts; `langfuse.user.id` and `langfuse.session.id`
//   are their older names.
import type { AttributeValue, Attributes, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { countOf, isObject, stringOf, structuredOf } from './attribute-values.ts';
import { messagesOf } from './messages.ts';
import * as semconv from './semconv.ts';

export const name = 'langfuse';
export const priority = 35;

// --- Langfuse attribute names (@langfuse/core 5.11.1, LangfuseOtelSpanAttributes) ---
const OBSERVATION_TYPE = 'langfuse.observation.type';
const OBSERVATION_INPUT = 'langfuse.observation.input';
const OBSERVATION_OUTPUT = 'langfuse.observation.output';
const OBSERVATION_MODEL = 'langfuse.observation.model.name';
const OBSERVATION_USAGE_DETAILS = 'langfuse.observation.usage_details';
const OBSERVATION_PROMPT_VERSION = 'langfuse.observation.prompt.version';
const COMPAT_USER_ID = 'langfuse.user.id';
const COMPAT_SESSION_ID = 'langfuse.session.id';
/** Usage types (observeOpenAI's names, prefixed `input_` / `output_`). */
const INPUT_USAGE = 'input';
const OUTPUT_USAGE = 'output';
const CACHE_READ_USAGE = 'input_cached_tokens';
const REASONING_USAGE = 'output_reasoning_tokens';

/**
 * Observation types (@langfuse/tracing, startObservation's `asType`) -> `gen_ai.operation.name`.
 * `span` and `chain` are steps of a run: a top-most one is the interaction, its calls fold into it.
 * `event`, `evaluator` and `guardrail` are no operation: such spans fold in as plain spans.
 */
const TYPE_OPERATIONS: Readonly<Record<string, string>> = {
  generation: semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT,
  embedding: semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  agent: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  tool: semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  retriever: semconv.GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
  span: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  chain: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
};

export function matches(span: SpanRecord): boolean {
  const type = stringOf(span.attributes[OBSERVATION_TYPE]);
  return type !== null && TYPE_OPERATIONS[type] !== undefined;
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const type = stringOf(a[OBSERVATION_TYPE]) ?? '';
  facts.operation = TYPE_OPERATIONS[type] ?? null;
  const model = stringOf(a[OBSERVATION_MODEL]);
  if (a[OBSERVATION_OUTPUT] !== undefined) facts.responseModel = model;
  else facts.requestModel = model;
  readUsage(structuredOf(a[OBSERVATION_USAGE_DETAILS]), facts);
  facts.userId = stringOf(a[COMPAT_USER_ID]);
  facts.sessionId = stringOf(a[COMPAT_SESSION_ID]);
  facts.promptVersion = stringOf(a[OBSERVATION_PROMPT_VERSION]);
  switch (facts.operation) {
    case semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT:
      facts.agentName = span.name;
      facts.inputMessages = messagesOf(a[OBSERVATION_INPUT], 'user');
      facts.outputMessages = messagesOf(a[OBSERVATION_OUTPUT], 'assistant');
      break;
    case semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL:
      facts.toolName = span.name;
      facts.toolArguments = structuredOf(a[OBSERVATION_INPUT]);
      facts.toolResult = structuredOf(a[OBSERVATION_OUTPUT]);
      break;
    default:
      facts.inputMessages = inputMessagesOf(a);
      facts.outputMessages = messagesOf(a[OBSERVATION_OUTPUT], 'assistant');
  }
  return facts;
}

/** A generation's input: the chat messages of `{messages, tools?}`, else the value itself. */
function inputMessagesOf(a: Attributes): Message[] | null {
  const input = structuredOf(a[OBSERVATION_INPUT]);
  if (isObject(input) && Array.isArray(input['messages'])) return messagesOf(input['messages'], 'user');
  return messagesOf(input ?? undefined, 'user');
}

/** Input and output counts as the sums of their usage types; see the quirk above. */
function readUsage(usage: AttributeValue, facts: SpanFacts): void {
  if (!isObject(usage)) return;
  let input: number | null = null;
  let output: number | null = null;
  for (const [key, value] of Object.entries(usage)) {
    const count = countOf(value);
    if (count === null) continue;
    if (key === INPUT_USAGE || key.startsWith(`${INPUT_USAGE}_`)) input = (input ?? 0) + count;
    else if (key === OUTPUT_USAGE || key.startsWith(`${OUTPUT_USAGE}_`)) output = (output ?? 0) + count;
  }
  facts.inputTokens = input;
  facts.outputTokens = output;
  facts.cacheReadInputTokens = countOf(usage[CACHE_READ_USAGE]);
  facts.reasoningOutputTokens = countOf(usage[REASONING_USAGE]);
}
