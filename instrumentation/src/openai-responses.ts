// The Responses API (`client.responses.create`) in the GenAI semconv. A Responses call is a
// `chat` operation (openai.api.type = responses). Its stream carries the whole response in its
// terminal event (response.completed / .incomplete / .failed), so nothing is accumulated.
import type { Attributes } from '@opentelemetry/api';
import {
  type ChatMessage,
  type OutputMessage,
  type Part,
  type ToolDefinition,
  mediaPart,
  textPart,
  toolArguments,
} from './messages.ts';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  GEN_AI_OUTPUT_TYPE_VALUE_JSON,
  GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
} from './semconv.ts';

type Obj = Record<string, unknown>;

interface ResponsesParams {
  input?: unknown;
  instructions?: unknown;
  tools?: unknown;
  max_output_tokens?: unknown;
  temperature?: unknown;
  top_p?: unknown;
  text?: { format?: { type?: unknown } | null } | null;
  service_tier?: unknown;
  conversation?: unknown;
}

export interface ResponseObject {
  id?: unknown;
  model?: unknown;
  status?: unknown;
  output?: unknown;
  usage?: {
    input_tokens?: unknown;
    output_tokens?: unknown;
    input_tokens_details?: { cached_tokens?: unknown } | null;
    output_tokens_details?: { reasoning_tokens?: unknown } | null;
  } | null;
  incomplete_details?: { reason?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
  conversation?: { id?: unknown } | null;
  service_tier?: unknown;
}

/** A streamed event; the terminal ones carry the whole response. */
export interface ResponseStreamEvent {
  type?: unknown;
  response?: ResponseObject;
}

const TERMINAL_EVENTS: ReadonlySet<unknown> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/** The whole response if this streamed event ends the stream, else undefined. */
export function terminalResponse(event: ResponseStreamEvent): ResponseObject | undefined {
  return TERMINAL_EVENTS.has(event.type) ? event.response : undefined;
}

/** Request attributes beyond the sampling-relevant ones set at span start. */
export function responsesRequestAttributes(params: ResponsesParams, attributes: Attributes): void {
  if (typeof params.max_output_tokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.max_output_tokens;
  if (typeof params.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.top_p === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  const format = params.text?.format?.type;
  if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = GEN_AI_OUTPUT_TYPE_VALUE_TEXT;
  else if (format === 'json_schema' || format === 'json_object') {
    attributes[ATTR_GEN_AI_OUTPUT_TYPE] = GEN_AI_OUTPUT_TYPE_VALUE_JSON;
  }
  if (typeof params.service_tier === 'string' && params.service_tier !== 'auto') {
    attributes[ATTR_OPENAI_REQUEST_SERVICE_TIER] = params.service_tier;
  }
  const conversation = params.conversation;
  const conversationId = typeof conversation === 'string' ? conversation : (conversation as Obj | null)?.id;
  if (typeof conversationId === 'string') attributes[ATTR_GEN_AI_CONVERSATION_ID] = conversationId;
}

/** `gen_ai.system_instructions`: the `instructions` parameter, given apart from the input. */
export function responsesSystemInstructions(params: ResponsesParams): Part[] | undefined {
  return typeof params.instructions === 'string' ? [textPart(params.instructions)] : undefined;
}

/** `gen_ai.input.messages` from `input`: a string, or a list of items. */
export function responsesInputMessages(params: ResponsesParams): ChatMessage[] {
  if (typeof params.input === 'string') return [{ role: 'user', parts: [textPart(params.input)] }];
  if (!Array.isArray(params.input)) return [];
  return params.input.map((item: Obj): ChatMessage => {
    switch (item.type) {
      case 'function_call':
      case 'custom_tool_call':
        return { role: 'assistant', parts: [toolCallPart(item)] };
      case 'function_call_output':
      case 'custom_tool_call_output':
        return { role: 'tool', parts: [{ type: 'tool_call_response', id: item.call_id, response: item.output }] };
      case 'reasoning':
        return { role: 'assistant', parts: [reasoningPart(item)] };
      case undefined:
      case 'message':
        return { role: typeof item.role === 'string' ? item.role : 'user', parts: contentParts(item.content) };
      default:
        return { role: 'assistant', parts: [serverToolCallPart(item)] };
    }
  });
}

/** `gen_ai.tool.definitions`: type and name only (the semconv default); built-in tools are named by their type. */
export function responsesToolDefinitions(params: ResponsesParams): ToolDefinition[] | undefined {
  if (!Array.isArray(params.tools) || params.tools.length === 0) return undefined;
  return params.tools.map((tool: Obj) => {
    const type = String(tool.type ?? 'function');
    return { type, name: typeof tool.name === 'string' ? tool.name : type };
  });
}

/** Response attributes; the one finish reason is derived from `status` (the API has none). */
export function responsesResponseAttributes(response: ResponseObject, attributes: Attributes): void {
  if (typeof response.id === 'string') attributes[ATTR_GEN_AI_RESPONSE_ID] = response.id;
  if (typeof response.model === 'string') attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  if (typeof response.service_tier === 'string') attributes[ATTR_OPENAI_RESPONSE_SERVICE_TIER] = response.service_tier;
  const conversationId = response.conversation?.id;
  if (typeof conversationId === 'string') attributes[ATTR_GEN_AI_CONVERSATION_ID] = conversationId;
  const reason = finishReason(response);
  if (reason !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [reason];
  const usage = response.usage;
  if (!usage) return;
  if (typeof usage.input_tokens === 'number') attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.input_tokens;
  if (typeof usage.output_tokens === 'number') attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.output_tokens;
  const cached = usage.input_tokens_details?.cached_tokens;
  if (typeof cached === 'number') attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached;
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = reasoning;
}

/** The provider's error code when the response itself says it failed (status `failed`). */
export function responseErrorType(response: ResponseObject): string | undefined {
  if (response.status !== 'failed') return undefined;
  return typeof response.error?.code === 'string' ? response.error.code : 'response_failed';
}

/** `gen_ai.output.messages`: the output items as one assistant message. */
export function responsesOutputMessages(response: ResponseObject): OutputMessage[] {
  if (!Array.isArray(response.output)) return [];
  const parts: Part[] = [];
  for (const item of response.output as Obj[]) {
    switch (item.type) {
      case 'message':
        parts.push(...contentParts(item.content));
        break;
      case 'function_call':
      case 'custom_tool_call':
        parts.push(toolCallPart(item));
        break;
      case 'reasoning':
        parts.push(reasoningPart(item));
        break;
      default:
        parts.push(serverToolCallPart(item));
    }
  }
  return [{ role: 'assistant', parts, finish_reason: finishReason(response) ?? 'stop' }];
}

function finishReason(response: ResponseObject): string | undefined {
  switch (response.status) {
    case 'completed': {
      const output = Array.isArray(response.output) ? (response.output as Obj[]) : [];
      const calledTool = output.some((item) => item.type === 'function_call' || item.type === 'custom_tool_call');
      return calledTool ? 'tool_call' : 'stop';
    }
    case 'incomplete': {
      const reason = response.incomplete_details?.reason;
      if (reason === 'max_output_tokens') return 'length';
      return typeof reason === 'string' ? reason : 'length';
    }
    case 'failed':
      return 'error';
    default:
      return typeof response.status === 'string' ? response.status : undefined;
  }
}

function contentParts(content: unknown): Part[] {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content)) return [];
  return content.map((part: Obj): Part => {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return textPart(String(part.text ?? ''));
      case 'refusal':
        return { type: 'refusal', content: part.refusal };
      case 'input_image':
        if (typeof part.file_id === 'string') return { type: 'file', modality: 'image', file_id: part.file_id };
        return mediaPart('image', part.image_url);
      case 'input_file':
        if (typeof part.file_id === 'string') return { type: 'file', modality: 'document', file_id: part.file_id };
        if (typeof part.file_url === 'string') return { type: 'uri', modality: 'document', uri: part.file_url };
        return mediaPart('document', part.file_data);
      case 'input_audio': {
        const audio = (part.input_audio ?? {}) as Obj;
        return { type: 'blob', modality: 'audio', mime_type: `audio/${String(audio.format)}`, content: audio.data };
      }
      default:
        return { ...part, type: String(part.type) };
    }
  });
}

/** Responses tool calls: `call_id` is the id tool results refer to (`id` names the output item). */
function toolCallPart(item: Obj): Part {
  const args = item.type === 'custom_tool_call' ? item.input : toolArguments(item.arguments);
  return { type: 'tool_call', id: item.call_id, name: item.name, arguments: args };
}

function reasoningPart(item: Obj): Part {
  const summary = Array.isArray(item.summary) ? (item.summary as Obj[]) : [];
  return { type: 'reasoning', content: summary.map((s) => (typeof s.text === 'string' ? s.text : '')).join('\n') };
}

/** Provider-executed tools (web search, file search, code interpreter, MCP...). */
function serverToolCallPart(item: Obj): Part {
  const type = String(item.type);
  return { type: 'server_tool_call', id: item.id, name: type, server_tool_call: { type } };
}
