// What the OpenInference instrumentations of two agent frameworks put on their spans beyond the
// generic convention, read by openinference.ts. Captured from the real libraries into
// processor/test/fixtures/peers/langgraph-*.json and openai-agents-*.json.
//
// LangGraph 1.7.3 through @arizeai/openinference-instrumentation-langchain 4.1.1 (@langchain/core 1.4.0):
// - Every run is a span named after the run (dist/src/tracer.js): a graph, each node, each runnable
//   inside; all but models and tools are CHAIN. No span says "agent": the graph the app invoked is
//   the CHAIN whose `metadata` JSON has `ls_integration: "langgraph"` (set on every run of a graph,
//   @langchain/langgraph dist/pregel/index.js) and no `langgraph_node` (set on the runs inside a
//   node); its span name is the graph's name (`compile({ name })`, createReactAgent's `name`).
// - A node span carries `langgraph_node` equal to its own name. A node that runs a compiled graph
//   (a sub-agent of a supervisor) has one child span of the same name: the subgraph's own run,
//   whose metadata is inherited and so identical. Assembly tells the two apart by that child.
// - Hand-offs: a tool returning `Command({ graph: Command.PARENT })` makes the node throw
//   `ParentCommand` (@langchain/langgraph dist/graph/state.js, `_controlBranch`: `if (command.graph
//   === Command.PARENT) throw new ParentCommand(command)`; the class in dist/errors.js, a
//   GraphBubbleUp). The parent graph catches it and goes to the named agent, but every span it
//   crossed is ended as an error: @langchain/core's tracer stores the error as `message + "\n\n" +
//   stack` (dist/tracers/base.js, stringifyError), which OpenInference passes as a string to
//   recordException and as the status message (dist/src/tracer.js). So no `exception.type`
//   arrives: the error's name is the first line of its stack, "ParentCommand". Such a span is a
//   hand-off in flight, not a failure. Any other exception (GraphInterrupt included: the run
//   paused, it did not finish) stays a failure, and the graph span's own status says how the run ended.
// - Graph input and output (`input.value`, `output.value`) are the state as JSON, its `messages`
//   serialized LangChain messages (`{lc, type: "constructor", id: [..., "HumanMessage"], kwargs:
//   {content, ...}}`): the run's input is its messages, its answer the last AI message of the output.
// - A tool span's `output.value` is `{"output": <ToolMessage>}`; the message holds the tool call id
//   (`kwargs.tool_call_id`) and the result (`kwargs.content`). `input.value` is the tool's
//   arguments, except that an object with one string value is recorded as that bare value
//   (dist/src/utils.js formatIO): `{order_id: "A-1001"}` arrives as "A-1001", its key lost.
//
// The OpenAI Agents SDK 0.20.0 through @arizeai/openinference-instrumentation-openai-agents 0.2.15
// (dist/src/processor.js, a TracingProcessor the SDK calls, not a patch):
// - The trace's root is an AGENT span named after the workflow ("Agent workflow" by default), with
//   the first LLM input (Responses input items, JSON) and the last output text lifted onto it
//   (recordLiftedIO, mergeLiftedIO). Each agent's run is an AGENT span named after the agent with
//   `graph.node.id` = the agent's name; no `agent.name` is set. An agent reached by a hand-off has
//   `graph.node.parent_id` = the agent that handed off (recordHandoff, applyAgentGraphAttributes).
// - A hand-off is a TOOL span `handoff to <agent>` (`tool.name` handoff_to_<agent>).
// - A Responses call's `llm.invocation_parameters` is the *response* minus output, usage and tools
//   (getResponseInvocationParameterAttributes), and `llm.model_name` the response's model: the
//   requested model is never sent.
import type { AttributeValue, Attributes, SpanRecord } from '../otlp/records.ts';
import type { Message } from './interaction.ts';
import { type AttributeObject, isObject, stringOf, structuredOf } from './attribute-values.ts';
import type { MessagePart } from './messages.ts';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_TYPE, EVENT_EXCEPTION } from './semconv.ts';

export const OPENAI_AGENTS_SCOPE = '@arizeai/openinference-instrumentation-openai-agents';
const METADATA = 'metadata';
const OUTPUT_VALUE = 'output.value';
const GRAPH_NODE_ID = 'graph.node.id';
const GRAPH_NODE_PARENT_ID = 'graph.node.parent_id';
/** The error LangGraph throws to hand off to a node of the parent graph (dist/errors.js). */
const HANDOFF_ERRORS: ReadonlySet<string> = new Set(['ParentCommand']);

export interface LangGraphRun {
  /** The graph the app invoked (no enclosing node). */
  graph: boolean;
  /** The node the span runs in, when its name is that node's. */
  node: string | null;
}

/** How a LangGraph span sits in its graph, or null when it is no LangGraph run. */
export function langGraphRunOf(span: SpanRecord): LangGraphRun | null {
  const metadata = structuredOf(span.attributes[METADATA]);
  if (!isObject(metadata) || metadata['ls_integration'] !== 'langgraph') return null;
  const node = stringOf(metadata['langgraph_node']);
  return { graph: node === null, node: node !== null && node === span.name ? node : null };
}

/**
 * Whether the span failed only because a hand-off passed through it: its exception's type, from
 * `exception.type` or, as LangChain records it, the first line of the stack in the message.
 */
export function isHandoffInFlight(span: SpanRecord): boolean {
  if (span.status.code !== 2) return false;
  const exceptions = span.events.filter((e) => e.name === EVENT_EXCEPTION);
  const types = exceptions.length === 0
    ? [firstLine(span.status.message)]
    : exceptions.map((e) => stringOf(e.attributes[ATTR_EXCEPTION_TYPE]) ?? firstLine(stringOf(e.attributes[ATTR_EXCEPTION_MESSAGE])));
  return types.every((type) => type !== null && HANDOFF_ERRORS.has(type));
}

function firstLine(text: string | null): string | null {
  if (text === null) return null;
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim().replace(/:.*$/, '');
}

const LANGCHAIN_ROLES: Readonly<Record<string, string>> = {
  HumanMessage: 'user', human: 'user',
  AIMessage: 'assistant', AIMessageChunk: 'assistant', ai: 'assistant',
  SystemMessage: 'system', system: 'system',
  ToolMessage: 'tool', tool: 'tool',
};

/** `messages` of a LangGraph state (input.value / output.value JSON), as GenAI messages. */
export function langChainMessagesOf(value: AttributeValue | undefined): Message[] | null {
  const state = structuredOf(value);
  const list = isObject(state) ? state['messages'] : null;
  if (!Array.isArray(list)) return null;
  const messages: Message[] = [];
  for (const item of list) {
    const message = langChainMessageOf(item);
    if (message !== null) messages.push(message);
  }
  return messages.length > 0 ? messages : null;
}

/** The final answer of a LangGraph run: the last AI message with text in its output state. */
export function langGraphAnswerOf(value: AttributeValue | undefined): Message[] | null {
  const messages = langChainMessagesOf(value);
  const answer = messages?.findLast((m) => m.role === 'assistant' && m.parts.some((p) => p.type === 'text'));
  return answer === undefined ? null : [answer];
}

function langChainMessageOf(item: AttributeValue): Message | null {
  if (!isObject(item)) return null;
  const id = Array.isArray(item['id']) ? item['id'] : [];
  const kwargs = isObject(item['kwargs']) ? item['kwargs'] : item;
  const className = stringOf(id[id.length - 1]) ?? stringOf(kwargs['type']) ?? '';
  const role = LANGCHAIN_ROLES[className];
  if (role === undefined) return null;
  const parts: MessagePart[] = [];
  const content = kwargs['content'];
  if (role === 'tool') {
    const part: MessagePart = { type: 'tool_call_response', response: structuredOf(content) };
    const callId = stringOf(kwargs['tool_call_id']);
    if (callId !== null) part['id'] = callId;
    parts.push(part);
  } else if (typeof content === 'string' && content !== '') {
    parts.push({ type: 'text', content });
  } else if (Array.isArray(content)) {
    for (const block of content) {
      if (isObject(block) && typeof block['text'] === 'string') parts.push({ type: 'text', content: block['text'] });
    }
  }
  for (const call of Array.isArray(kwargs['tool_calls']) ? kwargs['tool_calls'] : []) {
    if (!isObject(call)) continue;
    const part: MessagePart = { type: 'tool_call', name: stringOf(call['name']) ?? '' };
    const callId = stringOf(call['id']);
    if (callId !== null) part['id'] = callId;
    part['arguments'] = call['args'] ?? null;
    parts.push(part);
  }
  const message: Message = { role, parts };
  const name = stringOf(kwargs['name']);
  if (name !== null && role === 'assistant') message.name = name;
  return message;
}

/** A LangChain tool span's call id and result, from the ToolMessage in its output. */
export function langChainToolOutputOf(a: Attributes): { callId: string | null; result: AttributeValue } | null {
  const output = structuredOf(a[OUTPUT_VALUE]);
  const message = isObject(output) && isObject(output['output']) ? output['output'] : null;
  const kwargs = message !== null && isObject(message['kwargs']) ? message['kwargs'] : null;
  if (kwargs === null || !Array.isArray(message?.['id']) || message['id'][message['id'].length - 1] !== 'ToolMessage') return null;
  return { callId: stringOf(kwargs['tool_call_id']), result: structuredOf(kwargs['content']) };
}

/** An OpenAI Agents SDK agent span's name and the agent that handed off to it. */
export function agentsGraphNodeOf(a: Attributes): { name: string; parent: string | null } | null {
  const name = stringOf(a[GRAPH_NODE_ID]);
  return name === null ? null : { name, parent: stringOf(a[GRAPH_NODE_PARENT_ID]) };
}

/**
 * Responses API input items (the root span's lifted `input.value`) as GenAI messages: message items
 * with text content; function calls and their outputs are the LLM spans' to tell.
 */
export function responsesInputOf(value: AttributeValue | undefined): Message[] | null {
  const items = structuredOf(value);
  if (!Array.isArray(items)) return null;
  const messages: Message[] = [];
  for (const item of items) {
    if (!isObject(item) || (item['type'] !== undefined && item['type'] !== 'message')) continue;
    const role = stringOf(item['role']);
    if (role === null) continue;
    const parts: MessagePart[] = [];
    const content = item['content'];
    if (typeof content === 'string' && content !== '') parts.push({ type: 'text', content });
    else if (Array.isArray(content)) {
      for (const block of content) {
        if (isObject(block) && typeof block['text'] === 'string') parts.push({ type: 'text', content: block['text'] });
      }
    }
    messages.push({ role, parts });
  }
  return messages.length > 0 ? messages : null;
}

/** Whether `llm.invocation_parameters` is a response (the OpenAI Agents SDK's), not the request. */
export function invocationIsResponse(span: SpanRecord, invocation: AttributeValue): boolean {
  return span.scope.name === OPENAI_AGENTS_SCOPE && isObject(invocation) && (invocation as AttributeObject)['created_at'] !== undefined;
}

/**
 * A LangChain chat model span's answer: `output.value` is the LLMResult (`{generations: [[{text,
 * message}]], llmOutput}`), not the provider's response body, and `llm.model_name` the requested
 * model (utils.js formatLLMParams reads it from the invocation params). The answering model and
 * the response id are only in the generated AIMessage (`kwargs.response_metadata.model_name`,
 * `kwargs.id`), as @langchain/openai fills them. The provider is LangChain's `ls_provider` in the
 * span's `metadata` (BaseChatModel's tracing params); OpenInference sets no llm.provider here.
 */
export function langChainGenerationOf(a: Attributes): { responseModel: string | null; responseId: string | null; provider: string | null } | null {
  const output = structuredOf(a[OUTPUT_VALUE]);
  const generations = isObject(output) && Array.isArray(output['generations']) ? output['generations'] : null;
  if (generations === null) return null;
  const first = Array.isArray(generations[0]) ? generations[0][0] : null;
  const message = isObject(first) && isObject(first['message']) ? first['message'] : null;
  const kwargs = message !== null && isObject(message['kwargs']) ? message['kwargs'] : null;
  const responseMetadata = kwargs !== null && isObject(kwargs['response_metadata']) ? kwargs['response_metadata'] : null;
  const metadata = structuredOf(a[METADATA]);
  return {
    responseModel: responseMetadata === null ? null : stringOf(responseMetadata['model_name']),
    responseId: kwargs === null ? null : stringOf(kwargs['id']),
    provider: isObject(metadata) ? stringOf(metadata['ls_provider']) : null,
  };
}

/**
 * A LangGraph hand-off tool's result is a Command (`{"output": {"lg_name": "Command", goto,
 * update: {messages}}}`): its ToolMessage (the last message of the update) holds the call id.
 */
export function langGraphCommandOf(a: Attributes): { callId: string | null; result: AttributeValue } | null {
  const output = structuredOf(a[OUTPUT_VALUE]);
  const command = isObject(output) && isObject(output['output']) ? output['output'] : null;
  if (command === null || command['lg_name'] !== 'Command') return null;
  const update = isObject(command['update']) ? command['update'] : null;
  const messages = update !== null && Array.isArray(update['messages']) ? update['messages'] : [];
  const toolMessage = [...messages].reverse().map(langChainMessageOf).find((m) => m?.role === 'tool');
  const part = toolMessage?.parts[0];
  return { callId: part === undefined ? null : stringOf(part['id']), result: { goto: command['goto'] ?? null, response: part?.['response'] ?? null } };
}
