// Messages flattened into indexed span attributes, as Traceloop/OpenLLMetry emitted them under
// gen_ai.* before 0.23 moved it to semconv (@traceloop/instrumentation-openai 0.22.5 instrumentation.ts):
//   gen_ai.prompt.{i}.role | content | tool_call_id
//   gen_ai.completion.{i}.role | content | finish_reason
//   gen_ai.completion.{i}.tool_calls.{j}.id | name | arguments
//   gen_ai.completion.{i}.function_call.name | arguments
// `content` is a string, or a JSON string of content blocks when the message had several.
import type { AttributeValue, Attributes } from '../otlp/records.ts';
import type { Message } from './interaction.ts';
import { type AttributeObject, isObject } from './attribute-values.ts';
import { messageOf, withContent } from './messages.ts';
import * as semconv from './semconv.ts';

const INDEX = /^\d+$/;

/** Keys of which every indexed message list has at least one: a cheap test before scanning all keys. */
const FIRST_MESSAGE_KEYS: readonly string[] = ['role', 'content', 'finish_reason', 'tool_call_id'].flatMap((field) => [
  `${semconv.ATTR_GEN_AI_PROMPT_INDEXED_PREFIX}0.${field}`,
  `${semconv.ATTR_GEN_AI_COMPLETION_INDEXED_PREFIX}0.${field}`,
]);

/** Input and output messages from indexed attributes; null where none carry content. */
export function indexedMessagesOf(attributes: Attributes): { input: Message[] | null; output: Message[] | null } {
  if (!FIRST_MESSAGE_KEYS.some((key) => attributes[key] !== undefined)) return { input: null, output: null };
  const prompt = new Map<number, AttributeObject>();
  const completion = new Map<number, AttributeObject>();
  for (const key in attributes) {
    let target: Map<number, AttributeObject>;
    let rest: string;
    if (key.startsWith(semconv.ATTR_GEN_AI_PROMPT_INDEXED_PREFIX)) {
      target = prompt;
      rest = key.slice(semconv.ATTR_GEN_AI_PROMPT_INDEXED_PREFIX.length);
    } else if (key.startsWith(semconv.ATTR_GEN_AI_COMPLETION_INDEXED_PREFIX)) {
      target = completion;
      rest = key.slice(semconv.ATTR_GEN_AI_COMPLETION_INDEXED_PREFIX.length);
    } else {
      continue;
    }
    const path = rest.split('.');
    // gen_ai.prompt.name (v1.39, a prompt's name) is not indexed: the first segment must be a number.
    if (path.length < 2 || !INDEX.test(path[0] ?? '')) continue;
    // Attribute keys are untrusted: never let one reach Object.prototype through setPath.
    if (path.includes('__proto__')) continue;
    const index = Number(path[0]);
    let item = target.get(index);
    if (item === undefined) {
      item = {};
      target.set(index, item);
    }
    setPath(item, path.slice(1), attributes[key] ?? null);
  }
  return { input: messagesFrom(prompt, 'user'), output: messagesFrom(completion, 'assistant') };
}

function messagesFrom(items: Map<number, AttributeObject>, defaultRole: string): Message[] | null {
  if (items.size === 0) return null;
  const indices = [...items.keys()].sort((x, y) => x - y);
  return withContent(indices.map((i) => messageOf(openAiItemOf(items.get(i) ?? {}), defaultRole)));
}

/** The OpenAI-style message the flattened keys came from. */
function openAiItemOf(raw: AttributeObject): AttributeObject {
  const item: AttributeObject = { ...raw };
  if (raw['content'] !== undefined) item['content'] = contentOf(raw['content']);
  if (isObject(raw['tool_calls'])) item['tool_calls'] = listOf(raw['tool_calls']);
  return item;
}

/** Content blocks when the string is a JSON array of typed blocks; otherwise the text itself. */
function contentOf(content: AttributeValue): AttributeValue {
  if (typeof content !== 'string' || !content.startsWith('[')) return content;
  try {
    const parsed = JSON.parse(content) as AttributeValue;
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((b) => isObject(b) && typeof b['type'] === 'string')) {
      return parsed;
    }
  } catch {
    // Plain text that happens to start with '['.
  }
  return content;
}

/** `{"0": a, "1": b}` -> `[a, b]`, by numeric key. */
function listOf(indexed: AttributeObject): AttributeValue[] {
  return Object.keys(indexed)
    .filter((k) => INDEX.test(k))
    .sort((x, y) => Number(x) - Number(y))
    .map((k) => indexed[k] ?? null);
}

function setPath(target: AttributeObject, path: string[], value: AttributeValue): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] ?? '';
    let next = node[segment];
    if (!isObject(next)) {
      next = {};
      node[segment] = next;
    }
    node = next;
  }
  node[path[path.length - 1] ?? ''] = value;
}
