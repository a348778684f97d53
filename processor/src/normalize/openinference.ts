// Adapter for OpenInference (Arize Phoenix): spans marked `openinference.span.kind`, content as
// flattened span attributes (Arize-ai/openinference spec/semantic_conventions.md,
// @arizeai/openinference-semantic-conventions 2.12.0). Read from the spans of
// @arizeai/openinference-instrumentation-openai 4.2.7 (processor/test/fixtures/peers/openinference-*).
//
// Quirks, each from that package's dist/src/instrumentation.js:
// - `llm.model_name` is set to the requested model, then overwritten with the response's model
//   only in the non-streaming result handler, which also records the response body as JSON
//   (`output.mime_type` = application/json; the response id is only there). The requested model
//   is also in `llm.invocation_parameters` (the request body minus messages).
// - Streamed chat: no token counts (the usage chunk is not read).
// - `llm.output_messages` holds the first choice only; its finish reason is `llm.finish_reason`.
// - Failures are recorded as an `exception` event (no `error.type`); a rejected API promise
//   leaves the span unended, so such a call never arrives.
// Framework specifics (LangGraph through the LangChain instrumentation, the OpenAI Agents SDK):
// openinference-frameworks.ts.
import type { AttributeValue, Attributes, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, exceptionTypeOf, type SpanFacts } from './convention.ts';
import { type AttributeObject, countOf, isObject, stringOf, structuredOf } from './attribute-values.ts';
import { type MessagePart, normalizeFinishReason, partOf, withContent } from './messages.ts';
import * as semconv from './semconv.ts';
import {
  agentsGraphNodeOf,
  invocationIsResponse,
  isHandoffInFlight,
  langChainGenerationOf,
  langChainMessagesOf,
  langChainToolOutputOf,
  langGraphAnswerOf,
  langGraphCommandOf,
  langGraphRunOf,
  responsesInputOf,
} from './openinference-frameworks.ts';

export const name = 'openinference';
export const priority = 50;

// --- OpenInference attribute names (semantic-conventions 2.12.0) ---
const SPAN_KIND = 'openinference.span.kind';
const INPUT_VALUE = 'input.value';
const INPUT_MIME_TYPE = 'input.mime_type';
const OUTPUT_VALUE = 'output.value';
const OUTPUT_MIME_TYPE = 'output.mime_type';
const LLM_MODEL_NAME = 'llm.model_name';
const LLM_REQUEST_MODEL_NAME = 'llm.request.model_name';
const LLM_RESPONSE_MODEL_NAME = 'llm.response.model_name';
const LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
const LLM_SYSTEM = 'llm.system';
const LLM_PROVIDER = 'llm.provider';
const LLM_FINISH_REASON = 'llm.finish_reason';
const LLM_INPUT_MESSAGES = 'llm.input_messages.';
const LLM_OUTPUT_MESSAGES = 'llm.output_messages.';
const TOKENS_PROMPT = 'llm.token_count.prompt';
const TOKENS_COMPLETION = 'llm.token_count.completion';
const TOKENS_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
const TOKENS_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
const TOKENS_REASONING = 'llm.token_count.completion_details.reasoning';
const EMBEDDING_MODEL_NAME = 'embedding.model_name';
const EMBEDDING_EMBEDDINGS = 'embedding.embeddings.';
const TOOL_NAME = 'tool.name';
const TOOL_ID = 'tool.id';
const AGENT_NAME = 'agent.name';
const JSON_MIME_TYPE = 'application/json';
const TEXT_MIME_TYPE = 'text/plain';

/** `openinference.span.kind` -> `gen_ai.operation.name`; other kinds pass through lower-cased. */
const KIND_OPERATIONS: Readonly<Record<string, string>> = {
  LLM: semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT,
  EMBEDDING: semconv.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  AGENT: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  TOOL: semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  CHAIN: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  RETRIEVER: semconv.GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
};

/**
 * `llm.provider` (preferred: the hosting provider) and `llm.system` (the model family) values ->
 * `gen_ai.provider.name`. Values not listed pass through lower-cased. `google` stays as is: it
 * does not say Gemini API or Vertex AI.
 */
const PROVIDERS: Readonly<Record<string, string>> = {
  azure: 'azure.ai.openai',
  aws: 'aws.bedrock',
  amazon: 'aws.bedrock',
  vertexai: 'gcp.vertex_ai',
  mistralai: 'mistral_ai',
  xai: 'x_ai',
};

export function matches(span: SpanRecord): boolean {
  return span.attributes[SPAN_KIND] !== undefined;
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const kind = stringOf(a[SPAN_KIND])?.toUpperCase() ?? '';
  facts.operation = KIND_OPERATIONS[kind] ?? (kind.toLowerCase() || null);
  const graphRun = kind === 'CHAIN' ? langGraphRunOf(span) : null;
  // The graph the app invoked is the agent; its name is the graph's.
  if (graphRun?.graph === true) facts.operation = semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT;
  const provider = stringOf(a[LLM_PROVIDER]) ?? stringOf(a[LLM_SYSTEM]);
  facts.provider = provider === null ? null : (PROVIDERS[provider.toLowerCase()] ?? provider.toLowerCase());

  const invocation = structuredOf(a[LLM_INVOCATION_PARAMETERS]);
  const modelName = stringOf(a[LLM_MODEL_NAME]);
  const invocationModel = isObject(invocation) && !invocationIsResponse(span, invocation) ? stringOf(invocation['model']) : null;
  facts.requestModel = stringOf(a[LLM_REQUEST_MODEL_NAME])
    ?? invocationModel
    ?? (invocationIsResponse(span, invocation) ? null : modelName)
    ?? stringOf(a[EMBEDDING_MODEL_NAME]);
  // A JSON output is the response body: its model answered (and the span says so), its id is the response's.
  const response = a[OUTPUT_MIME_TYPE] === JSON_MIME_TYPE ? structuredOf(a[OUTPUT_VALUE]) : null;
  const generation = kind === 'LLM' ? langChainGenerationOf(a) : null;
  if (generation !== null) {
    facts.responseModel = stringOf(a[LLM_RESPONSE_MODEL_NAME]) ?? generation.responseModel;
    facts.responseId = generation.responseId;
    facts.provider ??= generation.provider === null ? null : (PROVIDERS[generation.provider] ?? generation.provider);
  } else {
    facts.responseModel = stringOf(a[LLM_RESPONSE_MODEL_NAME]) ?? (response !== null ? modelName : null);
    facts.responseId = isObject(response) ? stringOf(response['id']) : null;
  }

  facts.inputTokens = countOf(a[TOKENS_PROMPT]);
  facts.outputTokens = countOf(a[TOKENS_COMPLETION]);
  facts.cacheReadInputTokens = countOf(a[TOKENS_CACHE_READ]);
  facts.cacheCreationInputTokens = countOf(a[TOKENS_CACHE_WRITE]);
  facts.reasoningOutputTokens = countOf(a[TOKENS_REASONING]);

  const finishReason = stringOf(a[LLM_FINISH_REASON]);
  facts.finishReasons = finishReason === null ? null : [normalizeFinishReason(finishReason)];
  facts.inputMessages = messagesOf(a, LLM_INPUT_MESSAGES, 'user')
    ?? embeddingTextsOf(a)
    ?? plainTextOf(a, INPUT_VALUE, INPUT_MIME_TYPE, 'user');
  facts.outputMessages = messagesOf(a, LLM_OUTPUT_MESSAGES, 'assistant') ?? plainTextOf(a, OUTPUT_VALUE, OUTPUT_MIME_TYPE, 'assistant');
  const first = facts.outputMessages?.[0];
  if (first !== undefined && facts.finishReasons !== null) first.finish_reason = facts.finishReasons[0] as string;

  facts.agentName = stringOf(a[AGENT_NAME]);
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) {
    facts.toolName = stringOf(a[TOOL_NAME]) ?? span.name;
    facts.toolCallId = stringOf(a[TOOL_ID]);
    facts.toolArguments = structuredOf(a[INPUT_VALUE]);
    facts.toolResult = structuredOf(a[OUTPUT_VALUE]);
    const toolMessage = langChainToolOutputOf(a) ?? langGraphCommandOf(a);
    if (toolMessage !== null) {
      facts.toolCallId ??= toolMessage.callId;
      facts.toolResult = toolMessage.result;
    }
  }
  if (graphRun !== null) {
    if (graphRun.graph) {
      facts.agentName ??= span.name;
      facts.inputMessages ??= langChainMessagesOf(a[INPUT_VALUE]);
      facts.outputMessages ??= langGraphAnswerOf(a[OUTPUT_VALUE]);
    }
    facts.graphNode = graphRun.node;
  }
  if (kind === 'AGENT') {
    const node = agentsGraphNodeOf(a);
    facts.agentName ??= node?.name ?? null;
    facts.handoffParent = node?.parent ?? null;
    facts.inputMessages ??= responsesInputOf(a[INPUT_VALUE]);
  }
  facts.errorType = exceptionTypeOf(span);
  if (isHandoffInFlight(span)) facts.controlFlow = true;
  return facts;
}

/**
 * `input.value` / `output.value` as one message when it is text (a completion prompt, a streamed
 * answer, an agent's question); JSON values are request or response bodies, not messages.
 */
function plainTextOf(a: Attributes, valueKey: string, mimeKey: string, role: string): Message[] | null {
  const value = stringOf(a[valueKey]);
  const mime = stringOf(a[mimeKey]);
  if (value === null || (mime !== null && mime !== TEXT_MIME_TYPE)) return null;
  if (mime === null && typeof structuredOf(value) !== 'string') return null;
  return [{ role, parts: [{ type: 'text', content: value }] }];
}

/** The texts an embeddings call embedded, as one user message. */
function embeddingTextsOf(a: Attributes): Message[] | null {
  const parts: MessagePart[] = [];
  for (const item of indexedItems(a, EMBEDDING_EMBEDDINGS)) {
    const text = isObject(item['embedding']) ? stringOf(item['embedding']['text']) : null;
    if (text !== null) parts.push({ type: 'text', content: text });
  }
  return parts.length > 0 ? [{ role: 'user', parts }] : null;
}

/** `<prefix>N.message.*` flattened messages, in index order. */
function messagesOf(a: Attributes, prefix: string, defaultRole: string): Message[] | null {
  const messages: Message[] = [];
  for (const item of indexedItems(a, prefix)) {
    if (isObject(item['message'])) messages.push(messageOf(item['message'], defaultRole));
  }
  return messages.length > 0 ? withContent(messages) : null;
}

/**
 * One OpenInference message: `role`, `content` or `contents.M.message_content.*`, `tool_calls.M.
 * tool_call.{id, function.name, function.arguments}`, `tool_call_id` (a tool result), `name`,
 * `function_call_name` / `function_call_arguments_json` (legacy function calling).
 */
function messageOf(m: AttributeObject, defaultRole: string): Message {
  const role = stringOf(m['role']) ?? defaultRole;
  const parts: MessagePart[] = [];
  const toolCallId = stringOf(m['tool_call_id']);
  const content = m['content'];
  if (role === 'tool' || toolCallId !== null) {
    const part: MessagePart = { type: 'tool_call_response' };
    if (toolCallId !== null) part['id'] = toolCallId;
    if (typeof content === 'string') part['response'] = structuredOf(content);
    parts.push(part);
  } else if (typeof content === 'string' && content !== '') {
    parts.push({ type: 'text', content });
  }
  for (const block of listOf(m['contents'])) {
    if (isObject(block) && isObject(block['message_content'])) parts.push(contentPartOf(block['message_content']));
  }
  for (const entry of listOf(m['tool_calls'])) {
    const call = isObject(entry) && isObject(entry['tool_call']) ? entry['tool_call'] : null;
    if (call === null) continue;
    const fn = isObject(call['function']) ? call['function'] : {};
    const part: MessagePart = { type: 'tool_call', name: stringOf(fn['name']) ?? '' };
    const id = stringOf(call['id']);
    if (id !== null) part['id'] = id;
    if (fn['arguments'] !== undefined) part['arguments'] = structuredOf(fn['arguments']);
    parts.push(part);
  }
  const functionName = stringOf(m['function_call_name']);
  if (functionName !== null) {
    const part: MessagePart = { type: 'tool_call', name: functionName };
    if (m['function_call_arguments_json'] !== undefined) part['arguments'] = structuredOf(m['function_call_arguments_json']);
    parts.push(part);
  }
  const message: Message = { role, parts };
  const messageName = stringOf(m['name']);
  if (messageName !== null) message.name = messageName;
  return message;
}

/** `message_content.{type, text, image.image.url}`: text, reasoning and images; other types kept. */
function contentPartOf(c: AttributeObject): MessagePart {
  const type = stringOf(c['type']);
  const text = stringOf(c['text']);
  if (type === 'reasoning') return { type: 'reasoning', content: text ?? '' };
  if (type === 'image') {
    const image = isObject(c['image']) && isObject(c['image']['image']) ? c['image']['image'] : {};
    return partOf({ type: 'image_url', image_url: { url: stringOf(image['url']) ?? '' } });
  }
  if (type === null || type === 'text' || text !== null) return partOf({ type: type ?? 'text', text: text ?? '' });
  return partOf(c);
}

/** Items of zero-based `<prefix>N.<path>` attributes, each as a nested object, in index order. */
function indexedItems(a: Attributes, prefix: string): AttributeObject[] {
  const items = new Map<number, AttributeObject>();
  for (const key in a) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split('.');
    const index = Number(path[0]);
    // Attribute keys are untrusted: never let one reach Object.prototype.
    if (path.length < 2 || !Number.isInteger(index) || index < 0 || path.includes('__proto__')) continue;
    let item = items.get(index);
    if (item === undefined) items.set(index, (item = {}));
    setPath(item, path.slice(1), a[key] ?? null);
  }
  return [...items.keys()].sort((x, y) => x - y).map((i) => items.get(i) as AttributeObject);
}

/** `{"0": a, "1": b}` (a flattened list) -> `[a, b]`, by numeric key. */
function listOf(value: AttributeValue | undefined): AttributeValue[] {
  if (!isObject(value)) return [];
  return Object.keys(value)
    .filter((k) => /^\d+$/.test(k))
    .sort((x, y) => Number(x) - Number(y))
    .map((k) => value[k] ?? null);
}

function setPath(target: AttributeObject, path: string[], value: AttributeValue): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    let next = node[segment];
    if (!isObject(next)) node[segment] = next = {};
    node = next;
  }
  node[path[path.length - 1] ?? ''] = value;
}
