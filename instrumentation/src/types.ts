// The public shapes of this package: what `register`, `withInteraction`, `traceTool` and
// `recordFeedback` take and return. Each option says its default and, where one exists, the
// environment variable it is read from (the option wins over the variable).
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Options of `register()`; every one is optional. */
export interface FlywheelConfig {
  /**
   * `service.name` of the agent.
   * Default: `OTEL_SERVICE_NAME`, else the SDK's `unknown_service:node`.
   */
  serviceName?: string;
  /**
   * Base URL of the OTLP/HTTP receiver (the processor, or a Collector); `/v1/traces` and
   * `/v1/logs` are appended.
   * Default: `OTEL_EXPORTER_OTLP_ENDPOINT` (or the signal-specific
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, used as is),
   * else `http://localhost:4318`, where `flywheel serve` listens.
   */
  endpoint?: string;
  /**
   * Headers sent with every export, e.g. `{ authorization: 'Bearer …' }`.
   * Default: `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,key2=value2`); given headers are merged
   * over it.
   */
  headers?: Record<string, string>;
  /**
   * OTLP encoding: `http/protobuf` or `http/json` (the processor speaks OTLP/HTTP only, so
   * `grpc` is refused).
   * Default: `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`.
   */
  protocol?: 'http/protobuf' | 'http/json';
  /**
   * Record message content: `gen_ai.input.messages`, `gen_ai.output.messages`,
   * `gen_ai.system_instructions`, `gen_ai.tool.definitions`, tool arguments and results, the
   * interaction's input, output and expected output. Off, none of it is even serialized.
   * Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (`true`/`false`, or
   * `SPAN_ONLY`/`SPAN_AND_EVENT` = on, `NO_CONTENT`/`EVENT_ONLY` = off; case-insensitive),
   * else `false`.
   */
  captureContent?: boolean;
  /**
   * Spans, and separately log records, waiting for export. When the receiver is slow or down
   * and the queue is full, new ones are dropped (and counted, see `dropped()`), never buffered
   * without bound.
   * Default: `OTEL_BSP_MAX_QUEUE_SIZE`, else 2048.
   */
  maxQueueSize?: number;
  /**
   * Other OpenTelemetry instrumentations (OpenInference's, Traceloop's, contrib's...), enabled on
   * this package's tracer, meter and logger providers (registerInstrumentations), so their spans
   * share its pipeline and traces with `withInteraction`, `traceTool` and `recordFeedback`.
   * Instrumentations that patch by hand in ESM (LangChain's `manuallyInstrument(CallbackManager)`)
   * are still patched by the app.
   * Also: `FLYWHEEL_INSTRUMENTATIONS`, a comma-separated list of packages (`name`, or
   * `name#ExportName` to pick the class) that register() imports, instantiates and enables in
   * addition (see `ready()`).
   * Default: none.
   */
  instrumentations?: Instrumentation[];
}

/** What `register()` returns. */
export interface FlywheelHandle {
  /** Exports everything still queued, then stops the SDK. Never rejects. */
  shutdown(): Promise<void>;
  /** Exports everything queued so far. Never rejects. */
  forceFlush(): Promise<void>;
  /** Spans and log records lost so far: queue full, or export failed after the exporter's retries. */
  dropped(): Promise<{ spans: number; logs: number }>;
  /**
   * Resolves once the packages of `FLYWHEEL_INSTRUMENTATIONS` are imported and enabled (at once
   * when none are listed), with the instrumentation names enabled. Never rejects: a package that
   * cannot be loaded is reported on stderr and skipped. The zero-code `--import .../register`
   * waits for it before the app loads.
   */
  ready(): Promise<string[]>;
}

/** Options of `withInteraction()`. Only `agent` is required. */
export interface InteractionOptions {
  /** `gen_ai.agent.name`; the span is named `invoke_agent {agent}`. */
  agent: string;
  /** `gen_ai.agent.id`. */
  agentId?: string;
  /** `gen_ai.conversation.id`: the session or thread this turn belongs to. */
  conversationId?: string;
  /** `user.id` of the person the agent serves. */
  userId?: string;
  /** `flywheel.intent`, e.g. `order_status`; left to the processor's classifier when unset. */
  intent?: string;
  /** `flywheel.confidence`, in [0, 1]. */
  confidence?: number;
  /** `flywheel.knowledge.sources`: ids or URIs of what the answer relied on. */
  knowledgeSources?: string[];
  /** `flywheel.prompt.version`. */
  promptVersion?: string;
  /** `flywheel.expected_output`, for evaluation runs. Recorded only under content capture. */
  expectedOutput?: string;
  /** The user's message of this turn, as `gen_ai.input.messages`. Only under content capture. */
  input?: string;
}

/** Given to the function run by `withInteraction()`: its identity, and setters for what is known late. */
export interface InteractionHandle {
  /** `${traceId}-${spanId}` of the `invoke_agent` span: the processor's interaction id. */
  readonly id: string;
  /** W3C traceparent of the `invoke_agent` span, for feedback collected in another process. */
  readonly traceparent: string;
  setIntent(intent: string): void;
  /** In [0, 1]; other values are ignored (and logged through `diag`). */
  setConfidence(confidence: number): void;
  /** Adds to `flywheel.knowledge.sources`, keeping those already set. */
  addKnowledgeSources(...sources: string[]): void;
  setPromptVersion(version: string): void;
  /** Only under content capture. */
  setExpectedOutput(expected: string): void;
  /** The agent's answer, as `gen_ai.output.messages`. Only under content capture. */
  setOutput(output: string): void;
}

/** What `traceTool()` takes to describe one tool call; a string is the tool's name. */
export interface ToolCallOptions {
  /** `gen_ai.tool.name`; the span is named `execute_tool {name}`. */
  name: string;
  /** `gen_ai.tool.call.id`: the id of the model's tool call this execution answers. */
  callId?: string;
  /** `gen_ai.tool.call.arguments` (object, or the model's JSON string). Only under content capture. */
  arguments?: unknown;
  /** `gen_ai.tool.description`. */
  description?: string;
  /** `gen_ai.tool.type`. Default `function`. */
  type?: 'function' | 'extension' | 'datastore';
}

/**
 * Options of `recordFeedback()`. Give exactly one of `score`, `rating` or `thumbs`; they all
 * become `gen_ai.evaluation.score.value` in [0, 1].
 */
export interface FeedbackOptions {
  /**
   * The interaction judged: the handle given by `withInteraction()`, its `id`
   * (`${traceId}-${spanId}`), or its `traceparent`.
   */
  interaction: InteractionHandle | string;
  /** Already in [0, 1]. */
  score?: number;
  /** 1 to 5; mapped to (rating - 1) / 4 and kept as `flywheel.feedback.rating`. */
  rating?: number;
  /** `up` = 1, `down` = 0; kept as `flywheel.feedback.thumbs`. */
  thumbs?: 'up' | 'down';
  /** `gen_ai.evaluation.score.label`. Default: `thumbs_up` / `thumbs_down` for thumbs, else none. */
  label?: string;
  /** `gen_ai.evaluation.explanation`: the user's comment. */
  comment?: string;
  /** `flywheel.feedback.correction`: what the answer should have been. */
  correction?: string;
  /** `user.id` of who gave the feedback. */
  userId?: string;
  /** `gen_ai.evaluation.name`. Default `user_feedback`. */
  name?: string;
  /** `flywheel.feedback.idempotency_key`. Default: a new random uuid; pass your own to resend safely. */
  idempotencyKey?: string;
}

/** Options of `knowledge()`. */
export interface KnowledgeOptions {
  /** The agent whose committed knowledge to load (its own and the shared items). Required. */
  agent: string;
  /**
   * Base URL of the processor's REST API; `/api/knowledge?agent=…` is appended.
   * Default: `FLYWHEEL_URL`, else `http://localhost:4318`, where `flywheel serve` listens.
   */
  url?: string;
  /** An API key of the read role, sent as `Authorization: Bearer …`. Default: `FLYWHEEL_API_KEY`, else none (local mode). */
  apiKey?: string;
  /** How often the cache is refreshed in the background, in ms (a 304 keeps it as it is). Default: 60000. */
  refreshMs?: number;
  /** How long one request may take before it is given up, in ms. Default: 5000. */
  timeoutMs?: number;
}

/** One committed knowledge item, as `GET /api/knowledge` returns it. */
export interface KnowledgeItem {
  id: string;
  /** What the item is about (an intent and the question's terms, or a source section). */
  key: string;
  content: string;
  /** 0..1. */
  confidence: number;
  /** The agent it belongs to; null when shared by every agent. */
  agent: string | null;
  /** The source URI it came from, when it came from one. */
  source: string | null;
  committedAt: string;
  version: number;
}

/** What mining found to repeat and to avoid, as the processor words it. */
export interface KnowledgeGuidance {
  reinforce: readonly unknown[];
  avoid: readonly unknown[];
}

/** The handle `knowledge()` returns. No method throws or waits on the network. */
export interface KnowledgeClient {
  /** The last good copy of the agent's committed items; empty until the first load. */
  items(): readonly KnowledgeItem[];
  /** The cached items that share terms with the question, best first (terms weighted by rarity, ties by confidence). */
  search(question: string, limit?: number): KnowledgeItem[];
  /** The last good copy of the guidance; empty lists until the first load. */
  guidance(): KnowledgeGuidance;
  /** Resolves once the first load has succeeded (true) or failed (false); never rejects. */
  ready(): Promise<boolean>;
  /** Stops the background refresh. */
  close(): void;
}
