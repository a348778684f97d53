// Adapter for the OpenTelemetry GenAI semantic conventions: the latest shape (v1.37-v1.41 and
// the GenAI repo) and older forms still in traffic (semconv CHANGELOG.md, v1.27-v1.37): gen_ai.system,
// prompt/completion token names, gen_ai.prompt/gen_ai.completion, the per-message events, the
// operation-details event, and the indexed gen_ai.prompt.{i}.* attributes.
// It is the lowest-priority adapter: peer conventions that also emit gen_ai.* names read their
// spans first, and this one fills the gaps.
import type { SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { countOf, numberOf, stringListOf, stringOf, structuredOf } from './attribute-values.ts';
import { finishReasonsOf, messagesOf, normalizeFinishReason, systemInstructionsOf } from './messages.ts';
import { messagesFromEvents } from './genai-semconv-events.ts';
import { indexedMessagesOf } from './genai-semconv-indexed.ts';
import * as semconv from './semconv.ts';

export const name = 'genai-semconv';
export const priority = 0;

/** Attributes any of which marks a span as GenAI in this convention (old or new). */
const MARKER_ATTRIBUTES: readonly string[] = [
  semconv.ATTR_GEN_AI_OPERATION_NAME,
  semconv.ATTR_GEN_AI_PROVIDER_NAME,
  semconv.ATTR_GEN_AI_SYSTEM,
  semconv.ATTR_GEN_AI_REQUEST_MODEL,
  semconv.ATTR_GEN_AI_RESPONSE_MODEL,
  semconv.ATTR_GEN_AI_TOOL_NAME,
  semconv.ATTR_GEN_AI_INPUT_MESSAGES,
  semconv.ATTR_GEN_AI_OUTPUT_MESSAGES,
  semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  semconv.ATTR_GEN_AI_PROMPT,
  semconv.ATTR_GEN_AI_COMPLETION,
  `${semconv.ATTR_GEN_AI_PROMPT_INDEXED_PREFIX}0.role`,
  `${semconv.ATTR_GEN_AI_PROMPT_INDEXED_PREFIX}0.content`,
];

export function matches(span: SpanRecord): boolean {
  const attributes = span.attributes;
  for (const key of MARKER_ATTRIBUTES) if (attributes[key] !== undefined) return true;
  return false;
}

/**
 * Renamed gen_ai.system values (semconv CHANGELOG.md: v1.33, v1.35, v1.37), keyed lower-case:
 * values are compared case-insensitively (`OpenAI` appears in the wild).
 */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  vertex_ai: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  'az.ai.inference': 'azure.ai.inference',
  'az.ai.openai': 'azure.ai.openai',
  xai: 'x_ai',
};

/** Traceloop's pre-semconv `llm.request.type` values (@traceloop/instrumentation-openai < 0.23). */
const LLM_REQUEST_TYPE_OPERATIONS: Readonly<Record<string, string>> = {
  chat: semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT,
  completion: semconv.GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  embedding: semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
};

export function toSpanFacts(span: SpanRecord, events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  facts.operation = operationOf(span);
  facts.provider = providerOf(stringOf(a[semconv.ATTR_GEN_AI_PROVIDER_NAME]) ?? stringOf(a[semconv.ATTR_GEN_AI_SYSTEM]));
  facts.requestModel = stringOf(a[semconv.ATTR_GEN_AI_REQUEST_MODEL]);
  facts.responseModel = stringOf(a[semconv.ATTR_GEN_AI_RESPONSE_MODEL]);
  facts.responseId = stringOf(a[semconv.ATTR_GEN_AI_RESPONSE_ID]);

  facts.inputTokens = countOf(a[semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? countOf(a[semconv.ATTR_GEN_AI_USAGE_PROMPT_TOKENS]);
  facts.outputTokens = countOf(a[semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? countOf(a[semconv.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS]);
  facts.cacheReadInputTokens = countOf(a[semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS])
    ?? countOf(a[semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_UNDERSCORE]);
  facts.cacheCreationInputTokens = countOf(a[semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS])
    ?? countOf(a[semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_UNDERSCORE]);
  facts.reasoningOutputTokens = countOf(a[semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS])
    ?? countOf(a[semconv.ATTR_GEN_AI_USAGE_REASONING_TOKENS_UNDERSCORE]);

  readContent(span, events, facts);
  const finishReasons = stringListOf(a[semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]);
  facts.finishReasons = finishReasons !== null ? finishReasons.map(normalizeFinishReason) : finishReasonsOf(facts.outputMessages);
  const ttftSeconds = numberOf(a[semconv.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]);
  facts.timeToFirstTokenMs = ttftSeconds !== null ? ttftSeconds * 1000 : null;

  facts.sessionId = stringOf(a[semconv.ATTR_GEN_AI_CONVERSATION_ID]);
  facts.agentName = stringOf(a[semconv.ATTR_GEN_AI_AGENT_NAME]);
  facts.agentId = stringOf(a[semconv.ATTR_GEN_AI_AGENT_ID]);
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) {
    facts.toolName = stringOf(a[semconv.ATTR_GEN_AI_TOOL_NAME]) ?? nameSuffix(span.name, semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL);
    facts.toolCallId = stringOf(a[semconv.ATTR_GEN_AI_TOOL_CALL_ID]);
    facts.toolArguments = structuredOf(a[semconv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
    facts.toolResult = structuredOf(a[semconv.ATTR_GEN_AI_TOOL_CALL_RESULT]);
  }
  return facts;
}

/**
 * gen_ai.operation.name; else the span name's prefix (`chat gpt-4o`, `execute_tool lookup`);
 * else Traceloop's llm.request.type; else, for a span that names a model or a tool, its kind:
 * v1.26 spans had no operation name and every GenAI span of that era was a model call.
 */
function operationOf(span: SpanRecord): string {
  const a = span.attributes;
  const declared = stringOf(a[semconv.ATTR_GEN_AI_OPERATION_NAME]);
  if (declared !== null) return declared;
  for (const operation of semconv.GEN_AI_OPERATIONS) {
    if (span.name === operation || span.name.startsWith(`${operation} `)) return operation;
  }
  const requestType = stringOf(a[semconv.ATTR_LLM_REQUEST_TYPE]);
  if (requestType !== null) return LLM_REQUEST_TYPE_OPERATIONS[requestType.toLowerCase()] ?? requestType;
  if (a[semconv.ATTR_GEN_AI_TOOL_NAME] !== undefined) return semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
  return semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT;
}

function providerOf(raw: string | null): string | null {
  if (raw === null) return null;
  const lower = raw.toLowerCase();
  return PROVIDER_ALIASES[lower] ?? lower;
}

function nameSuffix(spanName: string, operation: string): string | null {
  return spanName.startsWith(`${operation} `) ? spanName.slice(operation.length + 1) || null : null;
}

/**
 * Messages, first source that has content wins, input and output separately, newest form
 * first: span attributes -> gen_ai.client.inference.operation.details event -> per-message
 * events -> gen_ai.prompt / gen_ai.completion (span event or span attribute) -> indexed
 * gen_ai.prompt.{i}.* attributes.
 */
function readContent(span: SpanRecord, events: readonly InteractionEvent[], facts: SpanFacts): void {
  const a = span.attributes;
  facts.systemInstructions = systemInstructionsOf(a[semconv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
  facts.inputMessages = messagesOf(a[semconv.ATTR_GEN_AI_INPUT_MESSAGES], 'user');
  facts.outputMessages = messagesOf(a[semconv.ATTR_GEN_AI_OUTPUT_MESSAGES], 'assistant');
  if (facts.inputMessages !== null && facts.outputMessages !== null && facts.systemInstructions !== null) return;

  if (events.length > 0) {
    const fromEvents = messagesFromEvents(events);
    facts.systemInstructions ??= fromEvents.systemInstructions;
    facts.inputMessages ??= fromEvents.input;
    facts.outputMessages ??= fromEvents.output;
  }
  facts.inputMessages ??= messagesOf(a[semconv.ATTR_GEN_AI_PROMPT], 'user');
  facts.outputMessages ??= messagesOf(a[semconv.ATTR_GEN_AI_COMPLETION], 'assistant');
  if (facts.inputMessages === null || facts.outputMessages === null) {
    const indexed = indexedMessagesOf(a);
    facts.inputMessages ??= indexed.input;
    facts.outputMessages ??= indexed.output;
  }
}
