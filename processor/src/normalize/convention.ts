// The contract between a convention adapter and assembly. An adapter reads one span (and the
// GenAI events joined to it) in its convention and answers in one vocabulary: SpanFacts, whose
// operation names and message shapes are those of the OTel GenAI semantic conventions.
import type { AttributeValue, SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent, Message } from './interaction.ts';
import { stringOf } from './attribute-values.ts';

/** What one span says about a GenAI operation. Every field is null when the span does not say. */
export interface SpanFacts {
  /**
   * A `gen_ai.operation.name` value: `chat`, `text_completion`, `generate_content` (inference),
   * `invoke_agent`, `execute_tool`, `embeddings`... Adapters map their own span kinds onto these.
   */
  operation: string | null;
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  responseId: string | null;
  /** Token counts this span reports for itself (children's counts are summed by assembly). */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningOutputTokens: number | null;
  systemInstructions: AttributeValue[] | null;
  inputMessages: Message[] | null;
  outputMessages: Message[] | null;
  /** Normalised (see normalizeFinishReason), one per choice. */
  finishReasons: string[] | null;
  timeToFirstTokenMs: number | null;
  sessionId: string | null;
  userId: string | null;
  agentName: string | null;
  agentId: string | null;
  toolName: string | null;
  toolCallId: string | null;
  toolArguments: AttributeValue;
  toolResult: AttributeValue;
  intent: string | null;
  confidence: number | null;
  knowledgeSources: string[] | null;
  promptVersion: string | null;
  expectedOutput: string | null;
  errorType: string | null;
  /**
   * The agent that handed off to this agent span, when the span names it (OpenInference's
   * `graph.node.parent_id`); else assembly takes the agent span enclosing it.
   */
  handoffParent: string | null;
  /**
   * The graph node this span runs, when it is a node's own span (LangGraph's `langgraph_node`):
   * a node with a child span of the same name runs a graph of its own, a sub-agent.
   */
  graphNode: string | null;
  /**
   * True when the span ended in error only because control flow passed through it (a hand-off
   * thrown as an exception): it does not make the interaction or a sub-agent failed.
   */
  controlFlow: boolean | null;
}

/**
 * One tracing convention. Each adapter file exports these four members at module level, so
 * `import * as adapter from './x.ts'` is a ConventionAdapter.
 */
export interface ConventionAdapter {
  /** Listed in Interaction.conventions when the adapter read a span of the interaction. */
  readonly name: string;
  /** Higher first. Facts of a higher adapter win; lower ones fill the gaps. */
  readonly priority: number;
  /** Whether the span speaks this convention; cheap, called for every span of every trace. */
  matches(span: SpanRecord): boolean;
  /**
   * Reads a matched span. `events` are the GenAI events joined to it, in time order. Events may
   * add content, never change `operation`: ingest stores how assembly sees the span as read from
   * the span alone, before its events arrive (spanRoleOf in assemble.ts).
   */
  toSpanFacts(span: SpanRecord, events: readonly InteractionEvent[]): SpanFacts;
}

/** Every SpanFacts field, for merging the answers of several adapters. */
export const SPAN_FACT_FIELDS: readonly (keyof SpanFacts)[] = [
  'operation', 'provider', 'requestModel', 'responseModel', 'responseId',
  'inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheCreationInputTokens', 'reasoningOutputTokens',
  'systemInstructions', 'inputMessages', 'outputMessages', 'finishReasons', 'timeToFirstTokenMs',
  'sessionId', 'userId', 'agentName', 'agentId',
  'toolName', 'toolCallId', 'toolArguments', 'toolResult',
  'intent', 'confidence', 'knowledgeSources', 'promptVersion', 'expectedOutput', 'errorType',
  'handoffParent', 'graphNode', 'controlFlow',
];

/** Facts with every field null: what an adapter starts from. */
export function emptySpanFacts(): SpanFacts {
  return {
    operation: null, provider: null, requestModel: null, responseModel: null, responseId: null,
    inputTokens: null, outputTokens: null, cacheReadInputTokens: null, cacheCreationInputTokens: null,
    reasoningOutputTokens: null,
    systemInstructions: null, inputMessages: null, outputMessages: null, finishReasons: null,
    timeToFirstTokenMs: null,
    sessionId: null, userId: null, agentName: null, agentId: null,
    toolName: null, toolCallId: null, toolArguments: null, toolResult: null,
    intent: null, confidence: null, knowledgeSources: null, promptVersion: null, expectedOutput: null,
    errorType: null,
    handoffParent: null, graphNode: null, controlFlow: null,
  };
}

/**
 * `exception.type` of the span's first `exception` event (the OTel exception semconv), or null:
 * the error type of conventions that record a failure as an event, not as `error.type`.
 */
export function exceptionTypeOf(span: SpanRecord): string | null {
  for (const event of span.events) if (event.name === 'exception') return stringOf(event.attributes['exception.type']);
  return null;
}
