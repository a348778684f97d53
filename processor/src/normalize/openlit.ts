// Adapter for OpenLIT's Node SDK (`openlit`, dist/semantic-convention.js): GenAI semconv spans,
// which the GenAI semconv adapter reads, plus OpenLIT's own names for what the spec names otherwise.
// Read from openlit 1.15.0 with openai 7.57.0 (processor/test/fixtures/peers/openlit-*).
//
// Quirks, from openlit 1.15.0 dist/:
// - Time to first token is `gen_ai.server.time_to_first_token` (seconds, measured in the client).
// - The end user is the request's `user` parameter, as `gen_ai.request.user`.
// - helpers.js buildInputMessages writes an OpenAI tool result (`role: "tool"`, string content) as
//   a text part and drops its `tool_call_id`; such parts are read back as tool call responses
//   (without id). It also drops inline (data:) images.
// - Tool calls of a response are also comma-joined into `gen_ai.tool.name` / `gen_ai.tool.call.id` /
//   `gen_ai.tool.args` on the model-call span; the output messages carry them one by one, and are used.
// - Token counts of a stream without usage are estimated with tiktoken: they are reported as is.
import type { SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { emptySpanFacts, type SpanFacts } from './convention.ts';
import { numberOf, stringOf, structuredOf } from './attribute-values.ts';
import { messagesOf } from './messages.ts';
import * as semconv from './semconv.ts';

export const name = 'openlit';
export const priority = 10;

const SCOPE_PREFIX = '@openlit/';
const TELEMETRY_SDK_NAME = 'telemetry.sdk.name';
const SDK_NAME = 'openlit';
/** Seconds. */
const TIME_TO_FIRST_TOKEN = 'gen_ai.server.time_to_first_token';
const REQUEST_USER = 'gen_ai.request.user';

export function matches(span: SpanRecord): boolean {
  return span.scope.name.startsWith(SCOPE_PREFIX) || span.attributes[TELEMETRY_SDK_NAME] === SDK_NAME;
}

export function toSpanFacts(span: SpanRecord, _events: readonly InteractionEvent[]): SpanFacts {
  const a = span.attributes;
  const facts = emptySpanFacts();
  const seconds = numberOf(a[TIME_TO_FIRST_TOKEN]);
  facts.timeToFirstTokenMs = seconds === null ? null : seconds * 1000;
  facts.userId = stringOf(a[REQUEST_USER]);
  const input = messagesOf(a[semconv.ATTR_GEN_AI_INPUT_MESSAGES], 'user');
  if (input !== null && input.some(isToolResultAsText)) facts.inputMessages = input.map(toolResultOf);
  return facts;
}

function isToolResultAsText(message: Message): boolean {
  return message.role === 'tool' && message.parts.some((p) => p.type === 'text');
}

function toolResultOf(message: Message): Message {
  if (!isToolResultAsText(message)) return message;
  return {
    ...message,
    parts: message.parts.map((p) => (p.type === 'text' ? { type: 'tool_call_response', response: structuredOf(p['content']) } : p)),
  };
}
