// Messages in every shape seen on the wire, converted to the GenAI semconv shape `{role, parts,
// name?, finish_reason?}` (v1.41 docs/gen-ai/gen-ai-*-messages.json). Accepted shapes, per item:
// - semconv messages (`parts`), from gen_ai.input.messages / gen_ai.output.messages;
// - OpenAI chat messages (`content`, `tool_calls`, `tool_call_id`, `function_call`), from
//   gen_ai.prompt / gen_ai.completion and the v1.28-v1.36 per-message events;
// - choices (`{index, finish_reason, message}`), from gen_ai.choice and some gen_ai.completion;
// - content blocks of OpenAI (image_url, input_audio, Responses input_text) and Anthropic
//   (tool_use, tool_result, thinking), mapped to semconv parts by the table below.
import type { AttributeValue } from '../otlp/records.ts';
import type { Message } from './interaction.ts';
import { type AttributeObject, isObject, stringOf, structuredOf } from './attribute-values.ts';

export type MessagePart = Message['parts'][number];

/**
 * Finish reasons are stored in the semconv output-message spelling (schema enum: stop, length,
 * content_filter, tool_call, error). Providers and the old gen_ai.choice event say `tool_calls`,
 * the Vercel AI SDK `tool-calls` / `content-filter` (the `ai` package's FinishReason type),
 * OpenAI's legacy function calling `function_call`. Other values pass through lower-cased.
 */
const FINISH_REASON_ALIASES: Readonly<Record<string, string>> = {
  tool_calls: 'tool_call',
  'tool-calls': 'tool_call',
  function_call: 'tool_call',
  'content-filter': 'content_filter',
};

export function normalizeFinishReason(reason: string): string {
  const lower = reason.toLowerCase();
  return FINISH_REASON_ALIASES[lower] ?? lower;
}

/** The finish reasons of output messages, in message order; null when none has one. */
export function finishReasonsOf(messages: readonly Message[] | null): string[] | null {
  if (messages === null) return null;
  const reasons: string[] = [];
  for (const message of messages) if (message.finish_reason !== undefined) reasons.push(message.finish_reason);
  return reasons.length > 0 ? reasons : null;
}

/**
 * Messages from an attribute or event value (a JSON string, an array, one message object, or
 * plain text, which becomes one `defaultRole` text message). Null when nothing carries content:
 * with content capture off, instrumentations still send message skeletons (ids, tool names).
 */
export function messagesOf(value: AttributeValue | undefined, defaultRole: string): Message[] | null {
  const structured = structuredOf(value);
  let items: AttributeValue[];
  if (typeof structured === 'string') items = [structured];
  else if (Array.isArray(structured)) items = structured;
  else if (isObject(structured)) items = [structured];
  else return null;
  const messages: Message[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      if (item !== '') messages.push({ role: defaultRole, parts: [{ type: 'text', content: item }] });
    } else if (isObject(item)) {
      messages.push(messageOf(item, defaultRole));
    }
  }
  return withContent(messages);
}

/** `messages` if any part of them carries content, else null. */
export function withContent(messages: Message[]): Message[] | null {
  for (const message of messages) for (const part of message.parts) if (carriesContent(part)) return messages;
  return null;
}

/** One message object in any of the accepted shapes. */
export function messageOf(item: AttributeObject, defaultRole: string): Message {
  const choiceMessage = item['message'];
  if (isObject(choiceMessage)) return choiceOf(item, choiceMessage, defaultRole);
  const parts = Array.isArray(item['parts']) ? item['parts'].map(partOf) : openAiPartsOf(item);
  const message: Message = { role: stringOf(item['role']) ?? defaultRole, parts };
  const name = stringOf(item['name']);
  if (name !== null) message.name = name;
  const finishReason = stringOf(item['finish_reason']);
  if (finishReason !== null) message.finish_reason = normalizeFinishReason(finishReason);
  return message;
}

/**
 * An OpenAI choice `{index, finish_reason, message: {role, content, tool_calls}, tool_calls?}`.
 * The gen_ai.choice YAML puts tool_calls beside `message`, real emitters inside it: accept both.
 */
function choiceOf(choice: AttributeObject, inner: AttributeObject, defaultRole: string): Message {
  const message = messageOf(inner, defaultRole);
  if (Array.isArray(choice['tool_calls'])) message.parts.push(...toolCallPartsOf(choice['tool_calls']));
  const finishReason = stringOf(choice['finish_reason']);
  if (finishReason !== null) message.finish_reason = normalizeFinishReason(finishReason);
  return message;
}

/** Parts of an OpenAI-style message: content, tool_calls, function_call, or a tool result. */
function openAiPartsOf(item: AttributeObject): MessagePart[] {
  const parts: MessagePart[] = [];
  const role = item['role'];
  const toolCallId = stringOf(item['tool_call_id']) ?? (role === 'tool' ? stringOf(item['id']) : null);
  const content = item['content'] ?? item['text'];
  if (role === 'tool' || role === 'function' || toolCallId !== null) {
    const part: MessagePart = { type: 'tool_call_response' };
    if (toolCallId !== null) part['id'] = toolCallId;
    if (content !== undefined && content !== null) part['response'] = structuredOf(content);
    parts.push(part);
  } else if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', content });
  } else if (Array.isArray(content)) {
    for (const block of content) parts.push(partOf(block));
  }
  if (Array.isArray(item['tool_calls'])) parts.push(...toolCallPartsOf(item['tool_calls']));
  const functionCall = item['function_call'];
  if (isObject(functionCall)) parts.push(toolCallPartOf(functionCall));
  return parts;
}

function toolCallPartsOf(calls: AttributeValue[]): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const call of calls) if (isObject(call)) parts.push(toolCallPartOf(call));
  return parts;
}

/** `{id, type: "function", function: {name, arguments}}` or the flat `{id, name, arguments}`. */
function toolCallPartOf(call: AttributeObject): MessagePart {
  const fn = isObject(call['function']) ? call['function'] : call;
  const part: MessagePart = { type: 'tool_call', name: stringOf(fn['name']) ?? '' };
  const id = stringOf(call['id']);
  if (id !== null) part['id'] = id;
  const args = fn['arguments'] ?? fn['input'];
  if (args !== undefined && args !== null && args !== '') part['arguments'] = structuredOf(args);
  return part;
}

/** A content block or semconv part as a semconv part; unknown types are kept (GenericPart). */
export function partOf(block: AttributeValue): MessagePart {
  if (typeof block === 'string') return { type: 'text', content: block };
  if (!isObject(block)) return { type: 'text', content: JSON.stringify(block) };
  const type = stringOf(block['type']);
  if (type === null) {
    const text = stringOf(block['text']) ?? stringOf(block['content']);
    return text !== null ? { type: 'text', content: text } : { ...block, type: 'unknown' };
  }
  const convert = PART_CONVERSIONS[type];
  return convert !== undefined ? convert(block) : { ...block, type };
}

/** Content-block types that are not already semconv parts, and the semconv part each becomes. */
const PART_CONVERSIONS: Readonly<Record<string, (block: AttributeObject) => MessagePart>> = {
  // semconv `text` has `content`; OpenAI chat content blocks have `text`.
  text: (b) => ({ type: 'text', content: stringOf(b['content']) ?? stringOf(b['text']) ?? '' }),
  // OpenAI Responses API input/output items.
  input_text: (b) => ({ type: 'text', content: stringOf(b['text']) ?? '' }),
  output_text: (b) => ({ type: 'text', content: stringOf(b['text']) ?? '' }),
  // Anthropic extended thinking.
  thinking: (b) => ({ type: 'reasoning', content: stringOf(b['thinking']) ?? '' }),
  // OpenAI `{type:"image_url", image_url:{url}}`; a data: URL is inline media (a blob).
  image_url: (b) => mediaPartOf('image', isObject(b['image_url']) ? stringOf(b['image_url']['url']) : stringOf(b['image_url'])),
  // OpenAI `{type:"input_audio", input_audio:{data, format}}`, data in base64.
  input_audio: (b) => {
    const audio = isObject(b['input_audio']) ? b['input_audio'] : {};
    const part: MessagePart = { type: 'blob', modality: 'audio', content: stringOf(audio['data']) ?? '' };
    const format = stringOf(audio['format']);
    if (format !== null) part['mime_type'] = `audio/${format}`;
    return part;
  },
  // Anthropic tool use and tool result blocks.
  tool_use: (b) => toolCallPartOf({ id: b['id'] ?? null, name: b['name'] ?? null, arguments: b['input'] ?? null }),
  tool_result: (b) => {
    const part: MessagePart = { type: 'tool_call_response' };
    const id = stringOf(b['tool_use_id']);
    if (id !== null) part['id'] = id;
    if (b['content'] !== undefined) part['response'] = structuredOf(b['content']);
    return part;
  },
  tool_call: (b) => {
    const part: MessagePart = { ...b, type: 'tool_call' };
    if (typeof b['arguments'] === 'string') part['arguments'] = structuredOf(b['arguments']);
    return part;
  },
  // The v1.41 registry example wrote `result`; gen-ai-input-messages.json says `response`.
  tool_call_response: (b) => {
    if (b['response'] !== undefined || b['result'] === undefined) return { ...b, type: 'tool_call_response' };
    const { result, ...rest } = b;
    return { ...rest, type: 'tool_call_response', response: result ?? null };
  },
};

function mediaPartOf(modality: string, url: string | null): MessagePart {
  const match = url === null ? null : /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (match === null) return { type: 'uri', modality, uri: url ?? '' };
  const part: MessagePart = { type: 'blob', modality, content: match[3] ?? '' };
  if (match[1] !== undefined) part['mime_type'] = match[1];
  return part;
}

/** False for the skeleton parts sent with content capture off (a tool call's name and id only). */
function carriesContent(part: MessagePart): boolean {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return typeof part['content'] === 'string' && part['content'] !== '';
    case 'tool_call':
      return part['arguments'] !== undefined;
    case 'tool_call_response':
      return part['response'] !== undefined;
    default:
      return true;
  }
}

/**
 * gen_ai.system_instructions: an array of parts (or a JSON string of one). A bare string is one
 * text part: the contrib openai Responses patch records the raw `instructions` string.
 */
export function systemInstructionsOf(value: AttributeValue | undefined): AttributeValue[] | null {
  const structured = structuredOf(value);
  if (typeof structured === 'string') return structured === '' ? null : [{ type: 'text', content: structured }];
  if (!Array.isArray(structured) || structured.length === 0) return null;
  return structured.map(partOf);
}
