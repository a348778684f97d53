// Interactions as training examples, in OpenAI's fine-tuning formats: a chat example
// (`{ messages, tools? }`, https://platform.openai.com/docs/guides/supervised-fine-tuning) and a
// preference example (`{ input, preferred_output, non_preferred_output }`,
// https://platform.openai.com/docs/guides/direct-preference-optimization). Pure: rows in, JSON out.
import { createHash } from 'node:crypto';
import type { AttributeValue } from '../otlp/records.ts';
import type { Message, ToolCall } from '../normalize/interaction.ts';
import type { InteractionRow } from '../store/interactions/rows.ts';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A tool definition; only the name is known (spans carry no parameter schemas), so none is made up. */
export interface ChatTool {
  type: 'function';
  function: { name: string };
}

export interface ChatExample {
  messages: ChatMessage[];
  tools?: ChatTool[];
}

export interface PreferenceExample {
  input: { messages: ChatMessage[] };
  preferred_output: [{ role: 'assistant'; content: string }];
  non_preferred_output: [{ role: 'assistant'; content: string }];
}

/** The columns the conversion reads. */
export type ExampleSource = Pick<InteractionRow, 'id' | 'system_instructions' | 'user_input' | 'response' | 'tools'>;

/** The chat example of one interaction; null when its question or answer was not captured. */
export function toChatExample(row: ExampleSource): ChatExample | null {
  const prompt = promptOf(row);
  const answer = answerOf(row);
  if (prompt === null || answer === null) return null;
  const names = [...new Set(row.tools.map((t) => t.name))];
  return {
    messages: [...prompt, answer],
    ...(names.length > 0 ? { tools: names.map((name) => ({ type: 'function' as const, function: { name } })) } : {}),
  };
}

/**
 * The preference example of a correction: the prompt (with the tool exchange that preceded the
 * answer), the correction preferred over the answer given. Null when the prompt or answer was not captured.
 */
export function toPreferenceExample(row: ExampleSource, correction: string): PreferenceExample | null {
  const prompt = promptOf(row);
  const answer = answerOf(row);
  if (prompt === null || answer === null || answer.content === null) return null;
  return {
    input: { messages: prompt },
    preferred_output: [{ role: 'assistant', content: correction }],
    non_preferred_output: [{ role: 'assistant', content: answer.content }],
  };
}

/** Which split an interaction falls in: the first 4 bytes of sha256(id) as a fraction, below `validationFraction` = validation. */
export function splitOf(interactionId: string, validationFraction: number): 'train' | 'validation' {
  const position = createHash('sha256').update(interactionId).digest().readUInt32BE(0) / 2 ** 32;
  return position < validationFraction ? 'validation' : 'train';
}

/** System, the input messages, then the tool calls the agent ran (and their results) not already among them. */
function promptOf(row: ExampleSource): ChatMessage[] | null {
  if (row.user_input === null) return null;
  const messages: ChatMessage[] = [];
  const system = (row.system_instructions ?? []).map(textOfValue).filter((t) => t !== '').join('\n');
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const message of row.user_input) messages.push(...chatMessagesOf(message));
  if (!messages.some((m) => m.role === 'user')) return null;
  const seen = new Set(messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [])));
  const ran = row.tools.filter((t) => !seen.has(callIdOf(t)));
  if (ran.length > 0) {
    messages.push({ role: 'assistant', content: null, tool_calls: ran.map((t) => ({ id: callIdOf(t), type: 'function', function: { name: t.name, arguments: jsonText(t.arguments) } })) });
    for (const t of ran) messages.push({ role: 'tool', tool_call_id: callIdOf(t), content: t.error !== null && isAbsent(t.result) ? `error: ${t.error}` : jsonText(t.result) });
  }
  return messages;
}

/** The last assistant message of the response, as text. */
function answerOf(row: ExampleSource): Extract<ChatMessage, { role: 'assistant' }> | null {
  const last = (row.response ?? []).filter((m) => m.role === 'assistant' || m.role === 'model').at(-1);
  if (last === undefined) return null;
  const [message] = chatMessagesOf({ ...last, role: 'assistant' });
  return message?.role === 'assistant' && (message.content !== null || message.tool_calls !== undefined) ? message : null;
}

/** One semconv message as chat messages: its text, its tool calls, and a tool message per tool result. */
function chatMessagesOf(message: Message): ChatMessage[] {
  const text = message.parts.filter((p) => p.type === 'text').map((p) => textOfValue(p['content'] ?? null)).join('');
  const calls: ChatToolCall[] = message.parts
    .filter((p) => p.type === 'tool_call')
    .map((p, i) => ({ id: stringOr(p['id'], `call_${i}`), type: 'function', function: { name: stringOr(p['name'], ''), arguments: jsonText(p['arguments'] ?? null) } }));
  const results: ChatMessage[] = message.parts
    .filter((p) => p.type === 'tool_call_response')
    .map((p) => ({ role: 'tool', tool_call_id: stringOr(p['id'], ''), content: jsonText(p['response'] ?? p['result'] ?? null) }));
  if (message.role === 'tool') return results.length > 0 ? results : [];
  if (message.role === 'assistant' || message.role === 'model') {
    return [{ role: 'assistant', content: text === '' ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }, ...results];
  }
  const role = message.role === 'system' || message.role === 'developer' ? 'system' : 'user';
  return [...results, ...(text === '' ? [] : [{ role, content: text } as ChatMessage])];
}

function callIdOf(t: ToolCall): string {
  return t.callId ?? `call_${t.spanId}`;
}

function isAbsent(value: AttributeValue | undefined): boolean {
  return value === undefined || value === null || value === '';
}

function stringOr(value: AttributeValue | undefined, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** A value as the text a model reads: strings as they are, anything else as JSON; absent is ''. */
function jsonText(value: AttributeValue | undefined): string {
  if (isAbsent(value)) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function textOfValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const content = value['content'];
    return typeof content === 'string' ? content : '';
  }
  return '';
}
