// Chat Completions (`client.chat.completions.create`) in the GenAI semconv: request parameters,
// response, streamed chunks, and (under content capture) the messages. Shapes are read
// structurally, field by field, so the same code serves openai 4, 5, 6 and 7.
import type { Attributes } from '@opentelemetry/api';
import {
  type ChatMessage,
  type OutputMessage,
  type Part,
  type ToolDefinition,
  mediaPart,
  outputFinishReason,
  textPart,
  toolArguments,
} from './messages.ts';
import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
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
  ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  GEN_AI_OUTPUT_TYPE_VALUE_JSON,
  GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
} from './semconv.ts';

// Loose views of the openai types: every field optional, since they vary across majors.
type Obj = Record<string, unknown>;

interface ChatParams {
  messages?: unknown;
  tools?: unknown;
  max_completion_tokens?: unknown;
  max_tokens?: unknown;
  temperature?: unknown;
  top_p?: unknown;
  frequency_penalty?: unknown;
  presence_penalty?: unknown;
  stop?: unknown;
  seed?: unknown;
  n?: unknown;
  response_format?: { type?: unknown } | null;
  service_tier?: unknown;
}

interface ChatUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

interface ChatToolCall {
  id?: unknown;
  type?: unknown;
  function?: { name?: unknown; arguments?: unknown };
  custom?: { name?: unknown; input?: unknown };
}

interface ChatChoice {
  index?: unknown;
  finish_reason?: unknown;
  message?: { role?: unknown; content?: unknown; refusal?: unknown; tool_calls?: unknown; function_call?: unknown };
}

interface ChatCompletion {
  id?: unknown;
  model?: unknown;
  choices?: unknown;
  usage?: ChatUsage | null;
  service_tier?: unknown;
  system_fingerprint?: unknown;
}

interface ChatChunk extends ChatCompletion {
  choices?: {
    index?: unknown;
    finish_reason?: unknown;
    delta?: { content?: unknown; refusal?: unknown; tool_calls?: unknown };
  }[];
}

/** Request attributes beyond the sampling-relevant ones set at span start. */
export function chatRequestAttributes(params: ChatParams, attributes: Attributes): void {
  const maxTokens = params.max_completion_tokens ?? params.max_tokens;
  if (typeof maxTokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  if (typeof params.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.top_p === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  if (typeof params.frequency_penalty === 'number') {
    attributes[ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY] = params.frequency_penalty;
  }
  if (typeof params.presence_penalty === 'number') {
    attributes[ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY] = params.presence_penalty;
  }
  if (typeof params.stop === 'string') attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [params.stop];
  else if (Array.isArray(params.stop)) attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = params.stop.map(String);
  if (typeof params.seed === 'number') attributes[ATTR_GEN_AI_REQUEST_SEED] = params.seed;
  if (typeof params.n === 'number' && params.n !== 1) attributes[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = params.n;
  const format = params.response_format?.type;
  if (format === 'text') attributes[ATTR_GEN_AI_OUTPUT_TYPE] = GEN_AI_OUTPUT_TYPE_VALUE_TEXT;
  else if (format === 'json_object' || format === 'json_schema') {
    attributes[ATTR_GEN_AI_OUTPUT_TYPE] = GEN_AI_OUTPUT_TYPE_VALUE_JSON;
  }
  if (typeof params.service_tier === 'string' && params.service_tier !== 'auto') {
    attributes[ATTR_OPENAI_REQUEST_SERVICE_TIER] = params.service_tier;
  }
}

/** `gen_ai.input.messages` from the request's messages; system messages stay in place (semconv: "part of the chat history"). */
export function chatInputMessages(params: ChatParams): ChatMessage[] {
  if (!Array.isArray(params.messages)) return [];
  return params.messages.map((raw: Obj) => {
    const role = typeof raw.role === 'string' ? raw.role : 'user';
    let message: ChatMessage;
    if (role === 'tool' || role === 'function') {
      const id = role === 'tool' ? raw.tool_call_id : raw.name;
      message = { role: 'tool', parts: [{ type: 'tool_call_response', id, response: responseText(raw.content) }] };
    } else {
      const parts = contentParts(raw.content);
      if (typeof raw.refusal === 'string') parts.push({ type: 'refusal', content: raw.refusal });
      if (Array.isArray(raw.tool_calls)) for (const call of raw.tool_calls) parts.push(toolCallPart(call));
      const fn = raw.function_call as { name?: unknown; arguments?: unknown } | undefined | null;
      if (fn) parts.push({ type: 'tool_call', name: fn.name, arguments: toolArguments(fn.arguments) });
      message = { role, parts };
    }
    if (typeof raw.name === 'string' && role !== 'function') message.name = raw.name;
    return message;
  });
}

/**
 * `gen_ai.tool.definitions` from the request's tools: type and name only, the semconv default
 * (v1.41: descriptions and parameter schemas only when the user asks for them).
 */
export function chatToolDefinitions(params: ChatParams): ToolDefinition[] | undefined {
  if (!Array.isArray(params.tools) || params.tools.length === 0) return undefined;
  return params.tools.map((tool: { type?: unknown; function?: Obj; custom?: Obj }) => {
    const spec = tool.type === 'custom' ? tool.custom : tool.function;
    return { type: String(tool.type ?? 'function'), name: String(spec?.name ?? '') };
  });
}

/** Response attributes of a whole (non-streamed) completion. */
export function chatResponseAttributes(completion: ChatCompletion, attributes: Attributes): void {
  responseIdentity(completion, attributes);
  if (Array.isArray(completion.choices)) {
    const reasons = completion.choices.flatMap((c: ChatChoice) => (c.finish_reason ? [String(c.finish_reason)] : []));
    if (reasons.length > 0) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  }
  if (completion.usage) usageAttributes(completion.usage, attributes);
}

/** `gen_ai.output.messages`: one per choice. */
export function chatOutputMessages(completion: ChatCompletion): OutputMessage[] {
  if (!Array.isArray(completion.choices)) return [];
  return completion.choices.map((choice: ChatChoice) => {
    const message = choice.message ?? {};
    const parts = contentParts(message.content);
    if (typeof message.refusal === 'string') parts.push({ type: 'refusal', content: message.refusal });
    if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls) parts.push(toolCallPart(call));
    return {
      role: typeof message.role === 'string' ? message.role : 'assistant',
      parts,
      finish_reason: outputFinishReason(choice.finish_reason),
    };
  });
}

interface StreamedChoice {
  finishReason: string;
  text: string;
  refusal: string;
  toolCalls: { id: unknown; name: string; arguments: string }[];
}

/**
 * What a streamed completion says, gathered chunk by chunk. Content is concatenated only when
 * `withContent` (content capture was on when the call started).
 */
export class ChatStreamSummary {
  readonly #withContent: boolean;
  readonly #identity: ChatCompletion = {};
  readonly #choices: StreamedChoice[] = [];
  #usage: ChatUsage | undefined;

  constructor(withContent: boolean) {
    this.#withContent = withContent;
  }

  add(chunk: ChatChunk): void {
    const identity = this.#identity;
    if (identity.id === undefined && chunk.id) identity.id = chunk.id;
    if (identity.model === undefined && chunk.model) identity.model = chunk.model;
    if (chunk.system_fingerprint) identity.system_fingerprint = chunk.system_fingerprint;
    if (chunk.service_tier) identity.service_tier = chunk.service_tier;
    if (chunk.usage) this.#usage = chunk.usage;
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const delta of choices) {
      const index = typeof delta.index === 'number' ? delta.index : 0;
      const choice = (this.#choices[index] ??= { finishReason: '', text: '', refusal: '', toolCalls: [] });
      if (delta.finish_reason) choice.finishReason = String(delta.finish_reason);
      if (this.#withContent && delta.delta) this.#addContent(choice, delta.delta);
    }
  }

  #addContent(choice: StreamedChoice, delta: { content?: unknown; refusal?: unknown; tool_calls?: unknown }): void {
    if (typeof delta.content === 'string') choice.text += delta.content;
    if (typeof delta.refusal === 'string') choice.refusal += delta.refusal;
    if (!Array.isArray(delta.tool_calls)) return;
    for (const call of delta.tool_calls as { index?: unknown; id?: unknown; function?: Obj }[]) {
      const at = typeof call.index === 'number' ? call.index : choice.toolCalls.length;
      const toolCall = (choice.toolCalls[at] ??= { id: undefined, name: '', arguments: '' });
      if (call.id) toolCall.id = call.id;
      if (typeof call.function?.name === 'string') toolCall.name += call.function.name;
      if (typeof call.function?.arguments === 'string') toolCall.arguments += call.function.arguments;
    }
  }

  /** Response attributes, as for a whole completion. */
  attributes(attributes: Attributes): void {
    responseIdentity(this.#identity, attributes);
    const reasons = this.#choices.flatMap((c) => (c?.finishReason ? [c.finishReason] : []));
    if (reasons.length > 0) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
    if (this.#usage) usageAttributes(this.#usage, attributes);
  }

  outputMessages(): OutputMessage[] {
    return Array.from(this.#choices, (choice) => {
      const parts: Part[] = [];
      if (choice?.text) parts.push(textPart(choice.text));
      if (choice?.refusal) parts.push({ type: 'refusal', content: choice.refusal });
      for (const call of choice?.toolCalls ?? []) {
        parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: toolArguments(call.arguments) });
      }
      return { role: 'assistant', parts, finish_reason: outputFinishReason(choice?.finishReason) };
    });
  }
}

function responseIdentity(completion: ChatCompletion, attributes: Attributes): void {
  if (typeof completion.id === 'string') attributes[ATTR_GEN_AI_RESPONSE_ID] = completion.id;
  if (typeof completion.model === 'string') attributes[ATTR_GEN_AI_RESPONSE_MODEL] = completion.model;
  if (typeof completion.service_tier === 'string') {
    attributes[ATTR_OPENAI_RESPONSE_SERVICE_TIER] = completion.service_tier;
  }
  if (typeof completion.system_fingerprint === 'string') {
    attributes[ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = completion.system_fingerprint;
  }
}

function usageAttributes(usage: ChatUsage, attributes: Attributes): void {
  if (typeof usage.prompt_tokens === 'number') attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') {
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.completion_tokens;
  }
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = reasoning;
}

function contentParts(content: unknown): Part[] {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content)) return [];
  return content.map((part: Obj): Part => {
    switch (part.type) {
      case 'text':
        return textPart(String(part.text ?? ''));
      case 'refusal':
        return { type: 'refusal', content: part.refusal };
      case 'image_url':
        return mediaPart('image', (part.image_url as Obj | undefined)?.url);
      case 'input_audio': {
        const audio = (part.input_audio ?? {}) as Obj;
        return { type: 'blob', modality: 'audio', mime_type: `audio/${String(audio.format)}`, content: audio.data };
      }
      case 'file': {
        const file = (part.file ?? {}) as Obj;
        if (typeof file.file_id === 'string') return { type: 'file', modality: 'document', file_id: file.file_id };
        return mediaPart('document', file.file_data);
      }
      default:
        return { ...part, type: String(part.type) };
    }
  });
}

/** A tool message's content as the response: its text, joined when given as parts. */
function responseText(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((part: Obj) => (typeof part.text === 'string' ? part.text : '')).join('');
}

function toolCallPart(call: ChatToolCall): Part {
  if (call.type === 'custom') {
    return { type: 'tool_call', id: call.id, name: call.custom?.name, arguments: call.custom?.input };
  }
  return { type: 'tool_call', id: call.id, name: call.function?.name, arguments: toolArguments(call.function?.arguments) };
}
