// Adapter for Traceloop / OpenLLMetry JS (traceloop/openllmetry-js): spans of the
// @traceloop/node-server-sdk (withWorkflow / withTask / withAgent / withTool: `traceloop.span.kind`,
// `traceloop.entity.*`, `traceloop.association.properties.*`) and of its instrumentations. Model
// calls are read by the GenAI semconv adapter, which fills what this one leaves empty: from 0.23
// they are semconv spans (plus a non-standard gen_ai.usage.total_tokens, not kept); before 0.23
// they carried gen_ai.prompt.N.* / gen_ai.completion.N.* and llm.request.type, which it reads too.
// Read from @traceloop/node-server-sdk and @traceloop/instrumentation-openai 0.27.0 and
// @traceloop/instrumentation-openai 0.22.5 (processor/test/fixtures/peers/traceloop-*).
//
// Quirks:
// - Before 0.23, a prompt message whose content is not a string is written as its JSON
//   (`gen_ai.prompt.N.content = JSON.stringify(message.content)`, 0.22.5 dist/index.js
//   startSpan): an assistant message that only called tools arrives as the text "null", its tool
//   calls not recorded. That text is dropped.
// - `traceloop.entity.input` is the wrapped function's arguments as `{"args": [...], "kwargs": {...}}`
//   (node-server-sdk withEntity): a tool's arguments are the kwargs, else its single argument.
// - @traceloop/instrumentation-langchain 0.27.0 (dist/index.mjs, TraceloopCallbackHandler) marks a
//   tool span `traceloop.span.kind: task` beside `gen_ai.operation.name: execute_tool`: on a span with
//   a kind, a semconv operation name wins over the kind. Its `traceloop.entity.name` is the tool's class
//   (`DynamicStructuredTool`), its input `{"args": [<the arguments' JSON text>]}`, its output the
//   serialized ToolMessage (`{lc, type, id, kwargs: {name, tool_call_id, content, status}}`): the
//   tool's name, call id and result are read from that message.
// - The same handler starts every span with no parent but the caller's active span (LangChain runs
//   its callbacks outside the run's OTel context): a LangGraph run's chains, model calls and tools
//   are siblings, not a tree, and so are separate interactions unless an agent span encloses
//   them (README, "Compatibility with other instrumentations").
import type { AttributeValue, Attributes, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { isObject, stringOf, structuredOf } from './attribute-values.ts';
import { indexedMessagesOf } from './genai-semconv-indexed.ts';
import * as semconv from './semconv.ts';

export const name = 'traceloop';
export const priority = 40;

// --- Traceloop attribute names (@traceloop/ai-semantic-conventions 0.27.0, SpanAttributes) ---
const SCOPE_PREFIX = '@traceloop/';
const ATTRIBUTE_PREFIX = 'traceloop.';
const SPAN_KIND = 'traceloop.span.kind';
const ENTITY_NAME = 'traceloop.entity.name';
const ENTITY_INPUT = 'traceloop.entity.input';
const ENTITY_OUTPUT = 'traceloop.entity.output';
const SESSION_ID = 'traceloop.association.properties.session_id';
const LANGCHAIN_SCOPE = '@traceloop/instrumentation-langchain';
const USER_ID = 'traceloop.association.properties.user_id';
/** Indexed prompt keys of instrumentation-openai before 0.23 (read by genai-semconv-indexed.ts). */
const LEGACY_PROMPT_ROLE = 'gen_ai.prompt.0.role';

/**
 * `traceloop.span.kind` (TraceloopSpanKindValues) -> `gen_ai.operation.name`. A workflow and its
 * tasks are a chain of steps: a top-most one is the interaction, the model calls fold into it.
 * `session` and `unknown` say nothing: the span is then read as what its other keys say.
 */
const KIND_OPERATIONS: Readonly<Record<string, string>> = {
  workflow: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  task: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  agent: semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  tool: semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
};

export function matches(span: SpanRecord): boolean {
  if (span.scope.name.startsWith(SCOPE_PREFIX)) return true;
  for (const key in span.attributes) if (key.startsWith(ATTRIBUTE_PREFIX)) return true;
  return false;
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const kind = stringOf(a[SPAN_KIND]);
  const declared = stringOf(a[semconv.ATTR_GEN_AI_OPERATION_NAME]);
  if (kind === null) facts.operation = null;
  else if (declared !== null && semconv.GEN_AI_OPERATIONS.includes(declared)) facts.operation = declared;
  else facts.operation = KIND_OPERATIONS[kind] ?? null;
  // The SDK's conversationId option is written as gen_ai.conversation.id, on SDK spans too, where
  // the GenAI semconv adapter does not look (they carry no model-call key).
  facts.sessionId = stringOf(a[SESSION_ID]) ?? stringOf(a[semconv.ATTR_GEN_AI_CONVERSATION_ID]);
  facts.userId = stringOf(a[USER_ID]);
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT) facts.agentName = stringOf(a[ENTITY_NAME]);
  if (facts.operation === semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) {
    facts.toolName = stringOf(a[ENTITY_NAME]);
    facts.toolArguments = argumentsOf(a[ENTITY_INPUT]);
    facts.toolResult = decodedOf(a[ENTITY_OUTPUT]);
    if (span.scope.name === LANGCHAIN_SCOPE) readLangChainTool(facts);
  }
  if (a[LEGACY_PROMPT_ROLE] !== undefined) facts.inputMessages = legacyInputOf(a);
  return facts;
}

/**
 * An entity's input or output, which the SDK writes as JSON of the value: a function that returned
 * a string arrives as a JSON string literal, whose text is itself read as JSON when it is.
 */
function decodedOf(value: AttributeValue | undefined): AttributeValue {
  if (typeof value !== 'string') return value ?? null;
  try {
    const decoded = JSON.parse(value) as AttributeValue;
    return typeof decoded === 'string' ? structuredOf(decoded) : decoded;
  } catch {
    return value;
  }
}

/** `{"args": [...], "kwargs": {...}}` -> the kwargs when there are any, else the single argument, else the list. */
function argumentsOf(value: AttributeValue | undefined): AttributeValue {
  const input = decodedOf(value);
  if (!isObject(input)) return input;
  const kwargs = input['kwargs'];
  if (isObject(kwargs) && Object.keys(kwargs).length > 0) return kwargs;
  const args = input['args'];
  if (!Array.isArray(args) || args.length === 0) return null;
  return args.length === 1 ? (args[0] ?? null) : args;
}

/** A LangChain tool span: the ToolMessage it returned names the tool and the call, and holds the result. */
function readLangChainTool(facts: SpanFacts): void {
  if (typeof facts.toolArguments === 'string') facts.toolArguments = structuredOf(facts.toolArguments);
  const message = facts.toolResult;
  const kwargs = isObject(message) ? message['kwargs'] : undefined;
  if (!isObject(kwargs)) return;
  facts.toolName = stringOf(kwargs['name']) ?? facts.toolName;
  facts.toolCallId = stringOf(kwargs['tool_call_id']);
  facts.toolResult = structuredOf(kwargs['content']);
}

/** The indexed prompt, without the "null" text of messages whose content was not a string. */
function legacyInputOf(a: Attributes): Message[] | null {
  const input = indexedMessagesOf(a).input;
  if (input === null) return null;
  return input.map((m) => ({ ...m, parts: m.parts.filter((p) => !(p.type === 'text' && p['content'] === 'null')) }));
}
