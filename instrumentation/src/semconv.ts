// Every attribute, event and value name this package emits.
//
// The gen_ai.* strings are copied, not imported: `@opentelemetry/semantic-conventions/incubating`
// (1.45.0) marks them all deprecated ("moved to the GenAI repository") and its README advises
// instrumentations to copy what they need. Copied from semantic-conventions v1.41.0 (the last
// release that carries GenAI), model/gen-ai/{registry,events}.yaml. Naming follows that
// package: ATTR_ + upper snake of the key, EVENT_ for events, _VALUE_ for enum values.
// This project's own names (`flywheel.*`) sit at the end, used only where OTel has none.

// --- Operation and provider ---
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_OPERATION_NAME_VALUE_CHAT = 'chat';
export const GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_PROVIDER_NAME_VALUE_OPENAI = 'openai';

// --- Request ---
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
/** Set only when the request asks for a number of choices other than 1. */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
/** Set (to true) only on streaming calls; v1.41. */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
/** Requested output modality: `text`, `json`, `image`, `speech`. */
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const GEN_AI_OUTPUT_TYPE_VALUE_TEXT = 'text';
export const GEN_AI_OUTPUT_TYPE_VALUE_JSON = 'json';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';

// --- Response ---
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
/** One per choice, the provider's own strings (`stop`, `tool_calls`, `length`...). */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Seconds (double), streaming only; v1.41. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';

// --- Usage (cache and reasoning counts are subsets of input and output) ---
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';

// --- Content: opt-in, JSON strings on spans (JS span attributes cannot hold maps) ---
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';

// --- Conversation, agent, tool ---
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
/** `function` (client-executed), `extension` (agent-side API), `datastore` (retrieval). */
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';

// --- OpenAI refinements ---
export const ATTR_OPENAI_API_TYPE = 'openai.api.type';
export const OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS = 'chat_completions';
export const OPENAI_API_TYPE_VALUE_RESPONSES = 'responses';
/** Set only when present in the request and not `auto`. */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = 'openai.response.system_fingerprint';

// --- Evaluation: the gen_ai.evaluation.result event (v1.38) ---
export const EVENT_GEN_AI_EVALUATION_RESULT = 'gen_ai.evaluation.result';
export const ATTR_GEN_AI_EVALUATION_NAME = 'gen_ai.evaluation.name';
export const ATTR_GEN_AI_EVALUATION_SCORE_VALUE = 'gen_ai.evaluation.score.value';
export const ATTR_GEN_AI_EVALUATION_SCORE_LABEL = 'gen_ai.evaluation.score.label';
export const ATTR_GEN_AI_EVALUATION_EXPLANATION = 'gen_ai.evaluation.explanation';

// --- General OTel names (stable; identical to @opentelemetry/semantic-conventions) ---
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ERROR_TYPE_VALUE_OTHER = '_OTHER';
export const ATTR_USER_ID = 'user.id';

// --- This project's own names (README, "What the processor does with the data") ---
export const ATTR_FLYWHEEL_INTENT = 'flywheel.intent';
/** Number in [0, 1]. */
export const ATTR_FLYWHEEL_CONFIDENCE = 'flywheel.confidence';
/** Ids or URIs the answer relied on (string[]). */
export const ATTR_FLYWHEEL_KNOWLEDGE_SOURCES = 'flywheel.knowledge.sources';
export const ATTR_FLYWHEEL_PROMPT_VERSION = 'flywheel.prompt.version';
/** Expected answer, set by evaluation runs; content, so only under content capture. */
export const ATTR_FLYWHEEL_EXPECTED_OUTPUT = 'flywheel.expected_output';
/** The rating (1..5) as given, beside its 0..1 gen_ai.evaluation.score.value. */
export const ATTR_FLYWHEEL_FEEDBACK_RATING = 'flywheel.feedback.rating';
/** `up` or `down` as given, beside its 0..1 gen_ai.evaluation.score.value. */
export const ATTR_FLYWHEEL_FEEDBACK_THUMBS = 'flywheel.feedback.thumbs';
export const ATTR_FLYWHEEL_FEEDBACK_CORRECTION = 'flywheel.feedback.correction';
/** A uuid per feedback, so a resent feedback is stored once. */
export const ATTR_FLYWHEEL_FEEDBACK_IDEMPOTENCY_KEY = 'flywheel.feedback.idempotency_key';
