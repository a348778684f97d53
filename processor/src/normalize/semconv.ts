// Every attribute and event name the processor reads from the OpenTelemetry GenAI semantic
// conventions, the general OTel names beside them, and this project's own `flywheel.*` names.
//
// The gen_ai.* strings are copied, not imported: `@opentelemetry/semantic-conventions/incubating`
// (1.45.0) marks them all deprecated ("moved to the GenAI repository"); its README says to copy
// them. Copied from semantic-conventions v1.41.0 model/gen-ai/{registry,events}.yaml, deprecated/.
// Naming follows that package: ATTR_ + upper snake of the key, EVENT_ for events, _VALUE_ for values.
// Peer conventions (OpenInference, Traceloop, Vercel AI SDK...) keep their names in their adapter.

// --- Operation (gen_ai.operation.name and its values, v1.41) ---
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_OPERATION_NAME_VALUE_CHAT = 'chat';
export const GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION = 'text_completion';
export const GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT = 'generate_content';
export const GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL = 'retrieval';
export const GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT = 'create_agent';
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW = 'invoke_workflow';

/** Every operation value of v1.41, in the order of the registry. */
export const GEN_AI_OPERATIONS: readonly string[] = [
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
  GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
];

/** The inference operations: one model call each (spans doc, "Inference"). */
export const GEN_AI_INFERENCE_OPERATIONS: ReadonlySet<string> = new Set([
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
]);

// --- Provider ---
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Renamed to gen_ai.provider.name in v1.37; some values in v1.33, v1.35 (semconv CHANGELOG.md). */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';

// --- Request / response ---
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Seconds (double), streaming only; v1.41. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';

// --- Usage ---
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Renamed to gen_ai.usage.input_tokens in v1.27. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** Renamed to gen_ai.usage.output_tokens in v1.27. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
// Underscore spellings of the cache/reasoning counts, emitted by Traceloop/OpenLLMetry
// (@traceloop/ai-semantic-conventions 0.27.0) under gen_ai.*; read after the dotted names.
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_UNDERSCORE = 'gen_ai.usage.cache_read_input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_UNDERSCORE = 'gen_ai.usage.cache_creation_input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_TOKENS_UNDERSCORE = 'gen_ai.usage.reasoning_tokens';

// --- Conversation, agent, tool ---
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';

// --- Content (opt-in; JSON strings on spans, structured on log events) ---
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
/** v1.26-era: JSON string of OpenAI-style messages, on the gen_ai.content.prompt span event (or the span). */
export const ATTR_GEN_AI_PROMPT = 'gen_ai.prompt';
/** v1.26-era: JSON string of OpenAI-style messages, on the gen_ai.content.completion span event (or the span). */
export const ATTR_GEN_AI_COMPLETION = 'gen_ai.completion';
// Indexed flat attributes `gen_ai.prompt.{i}.role|content|tool_call_id` and
// `gen_ai.completion.{i}.role|content|finish_reason|tool_calls.{j}.id|name|arguments|function_call.name|arguments`
// (@traceloop/instrumentation-openai before 0.23, src/instrumentation.ts). Prefixes, then the index.
export const ATTR_GEN_AI_PROMPT_INDEXED_PREFIX = 'gen_ai.prompt.';
export const ATTR_GEN_AI_COMPLETION_INDEXED_PREFIX = 'gen_ai.completion.';
/** Traceloop's pre-semconv operation marker (`chat` | `completion` | `rerank`), read beside the indexed attributes. */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';

// --- Evaluation (gen_ai.evaluation.result event attributes, v1.38) ---
export const ATTR_GEN_AI_EVALUATION_NAME = 'gen_ai.evaluation.name';
export const ATTR_GEN_AI_EVALUATION_SCORE_VALUE = 'gen_ai.evaluation.score.value';
export const ATTR_GEN_AI_EVALUATION_SCORE_LABEL = 'gen_ai.evaluation.score.label';
export const ATTR_GEN_AI_EVALUATION_EXPLANATION = 'gen_ai.evaluation.explanation';

// --- Events ---
/** Prefix shared by every GenAI event name; a span event or log record so named is joined to its span. */
export const GEN_AI_EVENT_PREFIX = 'gen_ai.';
export const EVENT_GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS = 'gen_ai.client.inference.operation.details';
export const EVENT_GEN_AI_EVALUATION_RESULT = 'gen_ai.evaluation.result';
export const EVENT_GEN_AI_CLIENT_OPERATION_EXCEPTION = 'gen_ai.client.operation.exception';
// Per-message log events, v1.28-v1.36 (deprecated v1.37); body = map.
export const EVENT_GEN_AI_SYSTEM_MESSAGE = 'gen_ai.system.message';
export const EVENT_GEN_AI_USER_MESSAGE = 'gen_ai.user.message';
export const EVENT_GEN_AI_ASSISTANT_MESSAGE = 'gen_ai.assistant.message';
export const EVENT_GEN_AI_TOOL_MESSAGE = 'gen_ai.tool.message';
export const EVENT_GEN_AI_CHOICE = 'gen_ai.choice';
// Span events of v1.26 (deprecated v1.28), carrying ATTR_GEN_AI_PROMPT / ATTR_GEN_AI_COMPLETION.
export const EVENT_GEN_AI_CONTENT_PROMPT = 'gen_ai.content.prompt';
export const EVENT_GEN_AI_CONTENT_COMPLETION = 'gen_ai.content.completion';

/** The event name as a log attribute: the pre-1.30 way, read when LogRecord.event_name is empty. */
export const ATTR_EVENT_NAME = 'event.name';

// --- General OTel attributes ---
export const ATTR_SERVICE_NAME = 'service.name';
export const ATTR_SERVICE_VERSION = 'service.version';
export const ATTR_ERROR_TYPE = 'error.type';
/** The `exception` span event and its attributes (exceptions semconv). */
export const EVENT_EXCEPTION = 'exception';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_USER_ID = 'user.id';
/** Deprecated in favour of user.id (semconv v1.27) but still emitted. */
export const ATTR_ENDUSER_ID = 'enduser.id';
export const ATTR_SESSION_ID = 'session.id';

// --- Our own names, where OTel has none (README, "What the processor does with the data") ---
export const ATTR_FLYWHEEL_INTENT = 'flywheel.intent';
/** Number in [0, 1]. */
export const ATTR_FLYWHEEL_CONFIDENCE = 'flywheel.confidence';
/** Ids or URIs the answer relied on: string[] (or a JSON string of one). */
export const ATTR_FLYWHEEL_KNOWLEDGE_SOURCES = 'flywheel.knowledge.sources';
export const ATTR_FLYWHEEL_PROMPT_VERSION = 'flywheel.prompt.version';
/** Expected answer, set by evaluation runs. */
export const ATTR_FLYWHEEL_EXPECTED_OUTPUT = 'flywheel.expected_output';
// Written by @agent-flywheel/instrumentation's recordFeedback() beside the gen_ai.evaluation.* ones.
export const ATTR_FLYWHEEL_FEEDBACK_RATING = 'flywheel.feedback.rating';
export const ATTR_FLYWHEEL_FEEDBACK_THUMBS = 'flywheel.feedback.thumbs';
export const ATTR_FLYWHEEL_FEEDBACK_CORRECTION = 'flywheel.feedback.correction';
export const ATTR_FLYWHEEL_FEEDBACK_IDEMPOTENCY_KEY = 'flywheel.feedback.idempotency_key';
/** gen_ai.evaluation.name of a user's own verdict (the instrumentation's default). */
export const USER_FEEDBACK = 'user_feedback';
