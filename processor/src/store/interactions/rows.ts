// Conversion between Interaction records and rows of the interactions table.
import type { Interaction } from '../../normalize/interaction.ts';

export function interactionToRow(i: Interaction): Record<string, unknown> {
  return {
    id: i.id,
    trace_id: i.traceId,
    span_id: i.spanId,
    operation: i.operation,
    name: i.name,
    start_time: nanosToIso(i.startTimeUnixNano),
    start_time_unix_nano: i.startTimeUnixNano.toString(),
    response_time_ms: i.responseTimeMs,
    time_to_first_token_ms: i.timeToFirstTokenMs,
    session_id: i.sessionId,
    user_id: i.userId,
    agent_name: i.agentName,
    agent_id: i.agentId,
    service_name: i.serviceName,
    service_version: i.serviceVersion,
    system_instructions: i.systemInstructions,
    user_input: i.userInput,
    response: i.response,
    request_model: i.requestModel,
    response_model: i.responseModel,
    provider: i.provider,
    input_tokens: i.inputTokens,
    output_tokens: i.outputTokens,
    cache_read_input_tokens: i.cacheReadInputTokens,
    cache_creation_input_tokens: i.cacheCreationInputTokens,
    reasoning_output_tokens: i.reasoningOutputTokens,
    finish_reasons: i.finishReasons,
    tools: i.tools,
    intent: i.intent,
    confidence: i.confidence,
    knowledge_sources: i.knowledgeSources,
    prompt_version: i.promptVersion,
    expected_output: i.expectedOutput,
    status: i.status,
    error_type: i.errorType,
    error_message: i.errorMessage,
    span_ids: i.spanIds,
    conventions: i.conventions,
  };
}

/** Nanoseconds since the epoch -> ISO timestamp with microseconds (Postgres' precision). */
export function nanosToIso(nanos: bigint): string {
  const micros = nanos / 1000n;
  const date = new Date(Number(micros / 1000n));
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}
