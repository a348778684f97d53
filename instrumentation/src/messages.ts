// The GenAI semconv message shapes (semconv v1.41 docs/gen-ai/gen-ai-*-messages.json) and their
// JSON form on span attributes. Everything here runs only under content capture.
import { diag } from '@opentelemetry/api';

/** A message part: `text`, `tool_call`, `tool_call_response`, `reasoning`, `uri`, `blob`, `file`, ... */
export type Part = { type: string } & Record<string, unknown>;

/** An element of `gen_ai.input.messages`. */
export interface ChatMessage {
  role: string;
  parts: Part[];
  name?: string;
}

/** An element of `gen_ai.output.messages`: one per choice, `finish_reason` required. */
export interface OutputMessage extends ChatMessage {
  finish_reason: string;
}

/** An element of `gen_ai.tool.definitions`: the schema's required fields, all that is recorded. */
export interface ToolDefinition {
  type: string;
  name: string;
}

export function textPart(content: string): Part {
  return { type: 'text', content };
}

/**
 * Tool-call arguments as an object where they parse (the schema prefers one), else the model's
 * string as is: models do produce invalid JSON, and that is worth seeing.
 */
export function toolArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The output-message finish reason: the schema says `tool_call` where OpenAI says `tool_calls`. */
export function outputFinishReason(raw: unknown): string {
  if (raw === 'tool_calls' || raw === 'function_call') return 'tool_call';
  return typeof raw === 'string' && raw !== '' ? raw : 'stop';
}

/** An image, audio or document given by URL: a `data:` URL becomes a `blob` part, others a `uri` part. */
export function mediaPart(modality: string, url: unknown): Part {
  if (typeof url !== 'string') return { type: 'uri', modality, uri: '' };
  const dataUrl = /^data:([^;,]+)?(?:;base64)?,/.exec(url);
  if (dataUrl) {
    const part: Part = { type: 'blob', modality, content: url.slice(dataUrl[0].length) };
    if (dataUrl[1]) part.mime_type = dataUrl[1];
    return part;
  }
  return { type: 'uri', modality, uri: url };
}

/**
 * JSON for a span attribute; undefined (and a diag message) when the value cannot be
 * serialized, so a circular tool result never breaks the call it describes.
 */
export function toJson(value: unknown): string | undefined {
  try {
    // No replacer on the first try: a replacer takes JSON.stringify off its fast path.
    return JSON.stringify(value);
  } catch {
    try {
      return JSON.stringify(value, bigintAsString);
    } catch (err) {
      diag.debug('@agent-flywheel/instrumentation: value not serializable, attribute left out', err);
      return undefined;
    }
  }
}

/** A tool argument or result: strings as they are, anything else as JSON. */
export function toAttributeText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : toJson(value);
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
