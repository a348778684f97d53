// The interaction record: one agent turn, assembled from the spans (and GenAI log events)
// of one trace. Field names: the interactions table's columns, camelCase, as the API shows them.
import type { AttributeValue } from '../otlp/records.ts';

/** A message in the GenAI semconv shape: `{role, parts, name?, finish_reason?}`. */
export interface Message {
  role: string;
  parts: { type: string; [key: string]: AttributeValue }[];
  name?: string;
  finish_reason?: string;
}

/** An agent run beneath the interaction's own (a nested `invoke_agent` span): a hand-off. */
export interface SubAgent {
  /** `gen_ai.agent.name`, else the span's name. */
  name: string;
  spanId: string;
  /** The agent it ran beneath: the nearest enclosing agent's name (the interaction's own at the top); null when that one is unnamed. */
  parent: string | null;
  status: 'unset' | 'ok' | 'error';
  durationMs: number;
}

export interface ToolCall {
  name: string;
  callId: string | null;
  spanId: string;
  durationMs: number;
  /** `error.type`, or the status message when the tool span failed; null on success. */
  error: string | null;
  /** Only present when content capture was on at the source. */
  arguments: AttributeValue;
  result: AttributeValue;
}

/** A GenAI event joined to a span of the interaction (span event or OTLP log record). */
export interface InteractionEvent {
  spanId: string;
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  body: AttributeValue;
  source: 'span_event' | 'log_record';
}

export interface Interaction {
  /** `${traceId}-${spanId}` of the interaction span. */
  id: string;
  traceId: string;
  spanId: string;
  /** `gen_ai.operation.name` of the interaction span (invoke_agent, chat, embeddings...). */
  operation: string;
  name: string;
  startTimeUnixNano: bigint;
  /** Span duration in milliseconds. */
  responseTimeMs: number;
  /** Time to first token/chunk in milliseconds where the call streamed, else null. */
  timeToFirstTokenMs: number | null;
  sessionId: string | null;
  userId: string | null;
  agentName: string | null;
  agentId: string | null;
  serviceName: string | null;
  serviceVersion: string | null;
  systemInstructions: AttributeValue[] | null;
  /** Input messages of the interaction (null when content was not captured). */
  userInput: Message[] | null;
  /** Output messages of the interaction (null when content was not captured). */
  response: Message[] | null;
  requestModel: string | null;
  responseModel: string | null;
  provider: string | null;
  /** Token counts summed over the interaction's spans; null = unknown (never reported). */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningOutputTokens: number | null;
  finishReasons: string[];
  tools: ToolCall[];
  /** Agents that ran beneath this one (nested `invoke_agent` spans), in start order. */
  subAgents: SubAgent[];
  intent: string | null;
  confidence: number | null;
  knowledgeSources: string[];
  promptVersion: string | null;
  expectedOutput: string | null;
  /** Span status of the interaction span, or 'error' when any span beneath it failed. */
  status: 'unset' | 'ok' | 'error';
  errorType: string | null;
  errorMessage: string | null;
  /** Every span folded into this interaction, the interaction span first. */
  spanIds: string[];
  events: InteractionEvent[];
  /** Names of the convention adapters that contributed (e.g. 'genai-semconv'). */
  conventions: string[];
}
