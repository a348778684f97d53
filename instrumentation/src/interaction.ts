// The agent level: withInteraction() opens the `invoke_agent {agent}` span of one agent turn,
// the span the processor turns into an interaction record. Model calls and tools run inside it
// become its children; a withInteraction() inside another is a hand-off to a sub-agent.
import {
  INVALID_SPANID,
  INVALID_TRACEID,
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  context,
  createContextKey,
  diag,
  trace,
} from '@opentelemetry/api';
import { isCaptureContentOn } from './capture.ts';
import { textPart, toJson } from './messages.ts';
import { runInSpan } from './scope.ts';
import {
  ATTR_FLYWHEEL_CONFIDENCE,
  ATTR_FLYWHEEL_EXPECTED_OUTPUT,
  ATTR_FLYWHEEL_INTENT,
  ATTR_FLYWHEEL_KNOWLEDGE_SOURCES,
  ATTR_FLYWHEEL_PROMPT_VERSION,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_USER_ID,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
} from './semconv.ts';
import type { InteractionHandle, InteractionOptions } from './types.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

const INTERACTION_KEY = createContextKey('@agent-flywheel/instrumentation interaction');
const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);

/**
 * Runs `fn` as one agent turn, inside an `invoke_agent {agent}` span, and returns what it
 * returns (sync, a promise, or an async generator whose steps stay inside the span). Errors are
 * recorded on the span and rethrown unchanged.
 */
export function withInteraction<R>(options: InteractionOptions, fn: (interaction: InteractionHandle) => R): R {
  let interaction: Interaction;
  try {
    interaction = new Interaction(options);
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: interaction not traced', err);
    return fn(UNTRACED);
  }
  return runInSpan(interaction.span, interaction.context, () => fn(interaction));
}

/** The innermost interaction around the given context, if any (the openai patch reads it). */
export function interactionOf(ctx: Context): Interaction | undefined {
  return ctx.getValue(INTERACTION_KEY) as Interaction | undefined;
}

export class Interaction implements InteractionHandle {
  readonly span: Span;
  readonly context: Context;
  readonly conversationId: string | undefined;
  #sources: string[] = [];
  #providerKnown = false;

  constructor(options: InteractionOptions) {
    const agent = typeof options.agent === 'string' && options.agent !== '' ? options.agent : undefined;
    if (agent === undefined) {
      diag.warn('@agent-flywheel/instrumentation: withInteraction() needs an agent name');
    }
    this.conversationId = stringOrUndefined(options.conversationId);
    this.span = tracer.startSpan(agent ? `invoke_agent ${agent}` : 'invoke_agent', {
      kind: SpanKind.INTERNAL,
      attributes: startAttributes(options, agent),
    });
    this.context = trace.setSpan(context.active(), this.span).setValue(INTERACTION_KEY, this);
    if (Array.isArray(options.knowledgeSources)) this.addKnowledgeSources(...options.knowledgeSources);
    if (options.confidence !== undefined) this.setConfidence(options.confidence);
    if (options.input !== undefined && this.span.isRecording() && isCaptureContentOn()) {
      const input = toJson([{ role: 'user', parts: [textPart(String(options.input))] }]);
      if (input !== undefined) this.span.setAttribute(ATTR_GEN_AI_INPUT_MESSAGES, input);
    }
  }

  get id(): string {
    const { traceId, spanId } = this.span.spanContext();
    return `${traceId}-${spanId}`;
  }

  get traceparent(): string {
    const { traceId, spanId, traceFlags } = this.span.spanContext();
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  // Arrow properties, so a destructured setter still works.
  setIntent = (intent: string): void => {
    if (typeof intent === 'string') this.span.setAttribute(ATTR_FLYWHEEL_INTENT, intent);
    else diag.warn(`@agent-flywheel/instrumentation: intent must be a string, got ${typeof intent}`);
  };

  setConfidence = (confidence: number): void => {
    if (typeof confidence === 'number' && confidence >= 0 && confidence <= 1) {
      this.span.setAttribute(ATTR_FLYWHEEL_CONFIDENCE, confidence);
    } else {
      diag.warn(`@agent-flywheel/instrumentation: confidence must be a number in [0, 1], got ${String(confidence)}`);
    }
  };

  addKnowledgeSources = (...sources: string[]): void => {
    const added = sources.filter((s) => typeof s === 'string' && s !== '' && !this.#sources.includes(s));
    if (added.length === 0) return;
    this.#sources = [...this.#sources, ...added];
    this.span.setAttribute(ATTR_FLYWHEEL_KNOWLEDGE_SOURCES, this.#sources);
  };

  setPromptVersion = (version: string): void => {
    if (typeof version === 'string') this.span.setAttribute(ATTR_FLYWHEEL_PROMPT_VERSION, version);
  };

  setExpectedOutput = (expected: string): void => {
    if (typeof expected === 'string' && isCaptureContentOn()) {
      this.span.setAttribute(ATTR_FLYWHEEL_EXPECTED_OUTPUT, expected);
    }
  };

  setOutput = (output: string): void => {
    if (!this.span.isRecording() || !isCaptureContentOn()) return;
    const messages = toJson([{ role: 'assistant', parts: [textPart(String(output))], finish_reason: 'stop' }]);
    if (messages !== undefined) this.span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, messages);
  };

  /** The provider of the first model call made inside, as the app does not name one. */
  noteProvider(provider: string): void {
    if (this.#providerKnown) return;
    this.#providerKnown = true;
    this.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, provider);
  }
}

function startAttributes(options: InteractionOptions, agent: string | undefined): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT };
  if (agent !== undefined) attributes[ATTR_GEN_AI_AGENT_NAME] = agent;
  const optional: [string, unknown][] = [
    [ATTR_GEN_AI_AGENT_ID, options.agentId],
    [ATTR_GEN_AI_CONVERSATION_ID, options.conversationId],
    [ATTR_USER_ID, options.userId],
    [ATTR_FLYWHEEL_INTENT, options.intent],
    [ATTR_FLYWHEEL_PROMPT_VERSION, options.promptVersion],
  ];
  for (const [key, value] of optional) if (typeof value === 'string') attributes[key] = value;
  if (typeof options.expectedOutput === 'string' && isCaptureContentOn()) {
    attributes[ATTR_FLYWHEEL_EXPECTED_OUTPUT] = options.expectedOutput;
  }
  return attributes;
}

/** Handed to the app when its interaction could not be traced: same shape, records nothing. */
const UNTRACED: InteractionHandle = {
  id: `${INVALID_TRACEID}-${INVALID_SPANID}`,
  traceparent: `00-${INVALID_TRACEID}-${INVALID_SPANID}-00`,
  setIntent: () => {},
  setConfidence: () => {},
  addKnowledgeSources: () => {},
  setPromptVersion: () => {},
  setExpectedOutput: () => {},
  setOutput: () => {},
};

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
