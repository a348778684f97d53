// Message content carried by GenAI events rather than span attributes (semconv v1.41 model/gen-ai/):
// the gen_ai.client.inference.operation.details event (v1.37+), the per-message events
// gen_ai.{system,user,assistant,tool}.message and gen_ai.choice (v1.28-v1.36), and the v1.26
// gen_ai.content.prompt / gen_ai.content.completion span events. Any of them may arrive as a span
// event or as a log record; the caller joins both kinds to the span and passes them in time order.
import type { AttributeValue } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { type AttributeObject, isObject, numberOf } from './attribute-values.ts';
import { messageOf, messagesOf, systemInstructionsOf, withContent } from './messages.ts';
import * as semconv from './semconv.ts';

/** The role of each per-message input event; the body carries `role` only when it differs. */
const INPUT_MESSAGE_EVENT_ROLES: Readonly<Record<string, string>> = {
  [semconv.EVENT_GEN_AI_SYSTEM_MESSAGE]: 'system',
  [semconv.EVENT_GEN_AI_USER_MESSAGE]: 'user',
  [semconv.EVENT_GEN_AI_ASSISTANT_MESSAGE]: 'assistant',
  [semconv.EVENT_GEN_AI_TOOL_MESSAGE]: 'tool',
};

export interface EventMessages {
  systemInstructions: AttributeValue[] | null;
  input: Message[] | null;
  output: Message[] | null;
}

/** Messages from the events of one span, each kind preferred over the older ones after it. */
export function messagesFromEvents(events: readonly InteractionEvent[]): EventMessages {
  const result = fromOperationDetails(events);
  if (result.input === null || result.output === null) {
    const perMessage = fromPerMessageEvents(events);
    result.input ??= perMessage.input;
    result.output ??= perMessage.output;
  }
  for (const event of events) {
    if (result.input === null && event.name === semconv.EVENT_GEN_AI_CONTENT_PROMPT) {
      result.input = messagesOf(fieldOf(event, semconv.ATTR_GEN_AI_PROMPT), 'user');
    } else if (result.output === null && event.name === semconv.EVENT_GEN_AI_CONTENT_COMPLETION) {
      result.output = messagesOf(fieldOf(event, semconv.ATTR_GEN_AI_COMPLETION), 'assistant');
    }
  }
  return result;
}

/**
 * Input and system instructions from the first details event that has them. Output messages are
 * concatenated over all details events: the contrib openai Responses patch emits one event per
 * streamed output item (its src/instrumentation.ts, `response.output_item.done`).
 */
function fromOperationDetails(events: readonly InteractionEvent[]): EventMessages {
  const result: EventMessages = { systemInstructions: null, input: null, output: null };
  for (const event of events) {
    if (event.name !== semconv.EVENT_GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS) continue;
    result.systemInstructions ??= systemInstructionsOf(fieldOf(event, semconv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS));
    result.input ??= messagesOf(fieldOf(event, semconv.ATTR_GEN_AI_INPUT_MESSAGES), 'user');
    const output = messagesOf(fieldOf(event, semconv.ATTR_GEN_AI_OUTPUT_MESSAGES), 'assistant');
    if (output !== null) result.output = result.output === null ? output : [...result.output, ...output];
  }
  return result;
}

/**
 * Input messages in event order, output messages (gen_ai.choice) by choice index. When the same
 * events came both as log records and as span events (an SDK bridge), the log records are used.
 */
function fromPerMessageEvents(events: readonly InteractionEvent[]): { input: Message[] | null; output: Message[] | null } {
  const hasLogRecords = events.some((e) => e.source === 'log_record' && isPerMessageEvent(e.name));
  const input: Message[] = [];
  const choices: { index: number; message: Message }[] = [];
  for (const event of events) {
    if (hasLogRecords && event.source !== 'log_record') continue;
    const role = INPUT_MESSAGE_EVENT_ROLES[event.name];
    if (role !== undefined) {
      input.push(messageOf({ role, ...payloadOf(event) }, role));
    } else if (event.name === semconv.EVENT_GEN_AI_CHOICE) {
      const payload = payloadOf(event);
      choices.push({ index: numberOf(payload['index']) ?? 0, message: messageOf(payload, 'assistant') });
    }
  }
  choices.sort((x, y) => x.index - y.index);
  return { input: withContent(input), output: withContent(choices.map((c) => c.message)) };
}

function isPerMessageEvent(eventName: string): boolean {
  return INPUT_MESSAGE_EVENT_ROLES[eventName] !== undefined || eventName === semconv.EVENT_GEN_AI_CHOICE;
}

/** Per-message events carry their fields in the log body; as span events, in the attributes. */
function payloadOf(event: InteractionEvent): AttributeObject {
  return isObject(event.body) ? event.body : event.attributes;
}

/** A content field of a details or content event: an attribute (the spec), else a body field. */
function fieldOf(event: InteractionEvent, key: string): AttributeValue | undefined {
  return event.attributes[key] ?? (isObject(event.body) ? event.body[key] : undefined);
}
