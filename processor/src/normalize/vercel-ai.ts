// Adapter for the Vercel AI SDK (`ai`), both of its telemetry shapes (its docs, 60-telemetry.mdx):
// - the `ai.*` spans of `experimental_telemetry` in ai 4-6 and of @ai-sdk/otel's
//   LegacyOpenTelemetry in ai 7: `ai.generateText` / `ai.streamText` (one run, read as an agent
//   invocation) over `*.doGenerate` / `*.doStream` (one model call each), `ai.toolCall`,
//   `ai.embed[Many]` over `*.doEmbed`;
// - the GenAI-semconv spans of @ai-sdk/otel's OpenTelemetry in ai 7 (`invoke_agent`, `step N`,
//   `chat`, `execute_tool`, `embeddings`), which the GenAI semconv adapter reads; this one adds
//   what those spans carry under other names.
// Read from ai 4.3.19, 5.0.277, 6.0.326 and 7.0.173 with @ai-sdk/otel 1.0.173
// (processor/test/fixtures/peers/vercel-ai-*).
//
// Quirks:
// - A run span holds the run's usage (ai 4-5 generateText: the last step's only; later: summed
//   over steps) and each call span its own: assembly sums the calls and never adds the run.
// - Token names changed twice (ai's generate-text.ts, stream-text.ts); every generation is read.
//   ai 4 reports OpenAI cached and reasoning tokens only in `ai.response.providerMetadata`.
// - Timings are milliseconds in `ai.*` and seconds in the ai 7 semconv spans.
// - Session and user ids have no key of their own: the app puts them in
//   `ai.telemetry.metadata.*` (ai 4-6) or the runtime context (`ai.settings.context.*`, ai 7) under
//   names of its choosing; the names below are those Langfuse reads (its OtelIngestionProcessor.ts).
import type { AttributeValue, Attributes, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, exceptionTypeOf, type SpanFacts } from './convention.ts';
import { type AttributeObject, countOf, isObject, numberOf, stringOf, structuredOf } from './attribute-values.ts';
import { type MessagePart, normalizeFinishReason, withContent } from './messages.ts';
import * as semconv from './semconv.ts';

export const name = 'vercel-ai';
export const priority = 30;

// --- `ai.*` attribute names (ai 4.3.19 - 7.0.173, packages/ai/src/telemetry) ---
const OPERATION_ID = 'ai.operationId';
const FUNCTION_ID = 'ai.telemetry.functionId';
const METADATA_PREFIX = 'ai.telemetry.metadata.';
const CONTEXT_PREFIX = 'ai.settings.context.';
const MODEL_ID = 'ai.model.id';
const MODEL_PROVIDER = 'ai.model.provider';
const PROMPT = 'ai.prompt';
const PROMPT_MESSAGES = 'ai.prompt.messages';
const RESPONSE_TEXT = 'ai.response.text';
const RESPONSE_OBJECT = 'ai.response.object';
const RESPONSE_REASONING = 'ai.response.reasoning';
const RESPONSE_TOOL_CALLS = 'ai.response.toolCalls';
const RESPONSE_FINISH_REASON = 'ai.response.finishReason';
const RESPONSE_ID = 'ai.response.id';
const RESPONSE_MODEL = 'ai.response.model';
const RESPONSE_PROVIDER_METADATA = 'ai.response.providerMetadata';
const RESPONSE_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
const STREAM_MS_TO_FIRST_CHUNK = 'ai.stream.msToFirstChunk';
const VALUE = 'ai.value';
const VALUES = 'ai.values';
const TOOL_CALL_NAME = 'ai.toolCall.name';
const TOOL_CALL_ID = 'ai.toolCall.id';
const TOOL_CALL_ARGS = 'ai.toolCall.args';
const TOOL_CALL_RESULT = 'ai.toolCall.result';
/** Token counts, each list newest name first (ai 6.0.119+, then ai 5-6, then ai 4). */
const INPUT_TOKENS = ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'];
const OUTPUT_TOKENS = ['ai.usage.outputTokens', 'ai.usage.completionTokens'];
const CACHE_READ_TOKENS = ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens'];
const CACHE_WRITE_TOKENS = ['ai.usage.inputTokenDetails.cacheWriteTokens'];
const REASONING_TOKENS = ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'];
/** ai 4 with @ai-sdk/openai 1.x: `{"openai": {"cachedPromptTokens", "reasoningTokens"}}`. */
const PROVIDER_METADATA_CACHE_READ: readonly [string, string][] = [['openai', 'cachedPromptTokens']];
const PROVIDER_METADATA_REASONING: readonly [string, string][] = [['openai', 'reasoningTokens']];

// --- ai 7 semconv spans (@ai-sdk/otel 1.0.173 OpenTelemetry) ---
const SEMCONV_SCOPE = 'gen_ai';
const LEGACY_SCOPE = 'ai';
/** Time to first chunk of a streamed call, in seconds: a metric's name written as a span attribute. */
const TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/** `gen_ai.operation.name` of the span between a run and its calls; not a semconv value. */
const AGENT_STEP = 'agent_step';
/** Marks a span of @mastra/otel-exporter, whose steps are also `agent_step`. */
const MASTRA_SPAN_TYPE = 'mastra.span.type';

const SESSION_KEYS = ['sessionId', 'session_id', 'conversationId', 'conversation_id'];
const USER_KEYS = ['userId', 'user_id'];

/** `ai.operationId` -> `gen_ai.operation.name`; call spans are matched by suffix below. */
const OPERATIONS: Readonly<Record<string, string>> = {
  'ai.generateText': semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  'ai.streamText': semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  'ai.generateObject': semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  'ai.streamObject': semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  'ai.embed': semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  'ai.embedMany': semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  'ai.embed.doEmbed': semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  'ai.embedMany.doEmbed': semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  'ai.toolCall': semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
};
const CALL_SUFFIXES = ['.doGenerate', '.doStream'];

/**
 * `ai.model.provider` (`openai.chat`, `google.vertex.chat`...) -> `gen_ai.provider.name`, by its
 * longest listed prefix; the table @ai-sdk/otel uses for its own spans. Unlisted: the first segment.
 */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'azure-openai': 'azure.ai.openai',
  azure: 'azure.ai.inference',
  'google.vertex': 'gcp.vertex_ai',
  'google-vertex': 'gcp.vertex_ai',
  google: 'gcp.gemini',
  'amazon-bedrock': 'aws.bedrock',
  bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  xai: 'x_ai',
  cohere: 'cohere',
  groq: 'groq',
  deepseek: 'deepseek',
  perplexity: 'perplexity',
};

export function matches(span: SpanRecord): boolean {
  const a = span.attributes;
  if (a[OPERATION_ID] !== undefined) return true;
  if (span.scope.name === LEGACY_SCOPE && span.name.startsWith('ai.')) return true;
  // Mastra's step spans share the `agent_step` name (its adapter, mastra.ts, reads them).
  return span.scope.name === SEMCONV_SCOPE || a[TIME_TO_FIRST_CHUNK] !== undefined
    || (a[semconv.ATTR_GEN_AI_OPERATION_NAME] === AGENT_STEP && a[MASTRA_SPAN_TYPE] === undefined);
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const facts = stringOf(span.attributes[OPERATION_ID]) === null ? semconvSpanFacts(span) : legacySpanFacts(span);
  const a = span.attributes;
  facts.sessionId ??= firstString(a, SESSION_KEYS.flatMap((k) => [`${METADATA_PREFIX}${k}`, `${CONTEXT_PREFIX}${k}`]));
  facts.userId ??= firstString(a, USER_KEYS.flatMap((k) => [`${METADATA_PREFIX}${k}`, `${CONTEXT_PREFIX}${k}`]));
  facts.errorType = exceptionTypeOf(span);
  return facts;
}

/** An ai 7 semconv span: only what the GenAI semconv adapter cannot read. */
function semconvSpanFacts(span: SpanRecord): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const seconds = numberOf(a[TIME_TO_FIRST_CHUNK]);
  facts.timeToFirstTokenMs = seconds === null ? null : seconds * 1000;
  // Opt-in (`usage: true`): the semconv spans have no reasoning count.
  facts.reasoningOutputTokens = firstCount(a, REASONING_TOKENS);
  return facts;
}

function legacySpanFacts(span: SpanRecord): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const operationId = stringOf(a[OPERATION_ID]) ?? '';
  facts.operation = OPERATIONS[operationId]
    ?? (CALL_SUFFIXES.some((s) => operationId.endsWith(s)) ? semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT : operationId);
  facts.provider = providerOf(stringOf(a[MODEL_PROVIDER]));
  facts.requestModel = stringOf(a[MODEL_ID]);
  facts.responseModel = stringOf(a[RESPONSE_MODEL]);
  facts.responseId = stringOf(a[RESPONSE_ID]);

  const metadata = structuredOf(a[RESPONSE_PROVIDER_METADATA]);
  facts.inputTokens = firstCount(a, INPUT_TOKENS);
  facts.outputTokens = firstCount(a, OUTPUT_TOKENS);
  facts.cacheReadInputTokens = firstCount(a, CACHE_READ_TOKENS) ?? providerMetadataCount(metadata, PROVIDER_METADATA_CACHE_READ);
  facts.cacheCreationInputTokens = firstCount(a, CACHE_WRITE_TOKENS);
  facts.reasoningOutputTokens = firstCount(a, REASONING_TOKENS) ?? providerMetadataCount(metadata, PROVIDER_METADATA_REASONING);

  const finishReason = stringOf(a[RESPONSE_FINISH_REASON]);
  facts.finishReasons = finishReason === null ? null : [normalizeFinishReason(finishReason)];
  const ms = numberOf(a[RESPONSE_MS_TO_FIRST_CHUNK]) ?? numberOf(a[STREAM_MS_TO_FIRST_CHUNK]);
  facts.timeToFirstTokenMs = ms;

  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    facts.inputMessages = embeddedValuesOf(a);
  } else {
    const prompt = promptOf(a);
    facts.systemInstructions = prompt.system;
    facts.inputMessages = prompt.messages;
    facts.outputMessages = responseOf(a, facts.finishReasons?.[0] ?? null);
  }
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT) facts.agentName = stringOf(a[FUNCTION_ID]);
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) {
    facts.toolName = stringOf(a[TOOL_CALL_NAME]);
    facts.toolCallId = stringOf(a[TOOL_CALL_ID]);
    facts.toolArguments = structuredOf(a[TOOL_CALL_ARGS]);
    facts.toolResult = structuredOf(a[TOOL_CALL_RESULT]);
  }
  return facts;
}

function providerOf(raw: string | null): string | null {
  if (raw === null) return null;
  const segments = raw.toLowerCase().split('.');
  for (let n = segments.length; n > 0; n--) {
    const mapped = PROVIDERS[segments.slice(0, n).join('.')];
    if (mapped !== undefined) return mapped;
  }
  return segments[0] || null;
}

function firstCount(a: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const count = countOf(a[key]);
    if (count !== null) return count;
  }
  return null;
}

function firstString(a: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = stringOf(a[key]);
    if (value !== null) return value;
  }
  return null;
}

function providerMetadataCount(metadata: AttributeValue, paths: readonly [string, string][]): number | null {
  if (!isObject(metadata)) return null;
  for (const [provider, field] of paths) {
    const entry = metadata[provider];
    const count = isObject(entry) ? countOf(entry[field]) : null;
    if (count !== null) return count;
  }
  return null;
}

/**
 * Input of a call span (`ai.prompt.messages`, the provider prompt) or of a run (`ai.prompt`,
 * `{system?, prompt?, messages?}` as the app passed them). System messages become system
 * instructions, as the ai 7 semconv spans have them.
 */
function promptOf(a: Attributes): { system: AttributeValue[] | null; messages: Message[] | null } {
  const callPrompt = structuredOf(a[PROMPT_MESSAGES]);
  let items: AttributeValue[] = Array.isArray(callPrompt) ? callPrompt : [];
  const system: AttributeValue[] = [];
  const runPrompt = structuredOf(a[PROMPT]);
  if (!Array.isArray(callPrompt) && isObject(runPrompt)) {
    const instructions = stringOf(runPrompt['system']);
    if (instructions !== null) system.push({ type: 'text', content: instructions });
    const prompt = runPrompt['prompt'];
    if (typeof prompt === 'string') items.push({ role: 'user', content: prompt });
    else if (Array.isArray(prompt)) items = items.concat(prompt);
    if (Array.isArray(runPrompt['messages'])) items = items.concat(runPrompt['messages']);
  }
  const messages: Message[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const message = messageOf(item);
    if (message.role === 'system') system.push(...message.parts);
    else messages.push(message);
  }
  return { system: system.length > 0 ? system : null, messages: withContent(messages) };
}

/** An AI SDK message: `{role, content}`, content a string or a list of AI SDK parts. */
function messageOf(item: AttributeObject): Message {
  const content = item['content'];
  const parts: MessagePart[] = typeof content === 'string'
    ? (content === '' ? [] : [{ type: 'text', content }])
    : Array.isArray(content) ? content.filter(isObject).map(partOf) : [];
  return { role: stringOf(item['role']) ?? 'user', parts };
}

/** AI SDK message parts (LanguageModelV1-V3 prompt, ModelMessage) -> semconv parts. */
const PART_CONVERSIONS: Readonly<Record<string, (p: AttributeObject) => MessagePart>> = {
  text: (p) => ({ type: 'text', content: stringOf(p['text']) ?? '' }),
  reasoning: (p) => ({ type: 'reasoning', content: stringOf(p['text']) ?? '' }),
  // `args` in ai 4, `input` from ai 5.
  'tool-call': (p) => toolCallPartOf(p['toolCallId'], p['toolName'], p['input'] ?? p['args']),
  // `result` in ai 4, `output: {type: json | text | error-json | error-text | content, value}` from ai 5.
  'tool-result': (p) => {
    const part: MessagePart = { type: 'tool_call_response' };
    const id = stringOf(p['toolCallId']);
    if (id !== null) part['id'] = id;
    const output = p['output'];
    part['response'] = isObject(output) && output['value'] !== undefined ? output['value'] : (p['result'] ?? null);
    return part;
  },
  // `mimeType` in ai 4, `mediaType` from ai 5; data is a URL or base64.
  image: (p) => mediaPartOf(p['image'], stringOf(p['mediaType']) ?? stringOf(p['mimeType']) ?? 'image/*'),
  file: (p) => mediaPartOf(p['data'], stringOf(p['mediaType']) ?? stringOf(p['mimeType']) ?? 'application/octet-stream'),
};

function partOf(p: AttributeObject): MessagePart {
  const type = stringOf(p['type']) ?? 'text';
  const convert = PART_CONVERSIONS[type];
  return convert !== undefined ? convert(p) : { ...p, type };
}

function toolCallPartOf(id: AttributeValue | undefined, toolName: AttributeValue | undefined, args: AttributeValue | undefined): MessagePart {
  const part: MessagePart = { type: 'tool_call', name: stringOf(toolName) ?? '' };
  const callId = stringOf(id);
  if (callId !== null) part['id'] = callId;
  if (args !== undefined && args !== null) part['arguments'] = structuredOf(args);
  return part;
}

function mediaPartOf(data: AttributeValue | undefined, mimeType: string): MessagePart {
  const modality = mimeType.split('/')[0] ?? 'file';
  const value = stringOf(data) ?? '';
  if (/^(https?|data|gs|s3):/.test(value)) return { type: 'uri', modality, mime_type: mimeType, uri: value };
  return { type: 'blob', modality, mime_type: mimeType, content: value };
}

/**
 * The response as one assistant message: reasoning, text (or the generated object's JSON) and
 * tool calls (`{toolCallId, toolName, args}` in ai 4, `{toolCallId, toolName, input}` from ai 5).
 */
function responseOf(a: Attributes, finishReason: string | null): Message[] | null {
  const parts: MessagePart[] = [];
  const reasoning = stringOf(a[RESPONSE_REASONING]);
  if (reasoning !== null) parts.push({ type: 'reasoning', content: reasoning });
  const text = stringOf(a[RESPONSE_TEXT]) ?? stringOf(a[RESPONSE_OBJECT]);
  if (text !== null) parts.push({ type: 'text', content: text });
  const calls = structuredOf(a[RESPONSE_TOOL_CALLS]);
  if (Array.isArray(calls)) {
    for (const call of calls) if (isObject(call)) parts.push(toolCallPartOf(call['toolCallId'], call['toolName'], call['input'] ?? call['args']));
  }
  if (parts.length === 0) return null;
  const message: Message = { role: 'assistant', parts };
  if (finishReason !== null) message.finish_reason = finishReason;
  return withContent([message]);
}

/** The embedded values (`ai.value`: JSON of one; `ai.values`: JSON of each) as one user message. */
function embeddedValuesOf(a: Attributes): Message[] | null {
  const encoded = a[VALUES] ?? (a[VALUE] === undefined ? [] : [a[VALUE]]);
  const parts: MessagePart[] = [];
  for (const item of Array.isArray(encoded) ? encoded : [encoded]) {
    const value = decodedOf(item);
    if (value === null) continue;
    parts.push({ type: 'text', content: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  return parts.length > 0 ? [{ role: 'user', parts }] : null;
}

function decodedOf(value: AttributeValue): AttributeValue {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as AttributeValue;
  } catch {
    return value;
  }
}
