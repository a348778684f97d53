// The interactions table's rows: the one column list ingest writes, the row as Postgres returns
// it (the type every read uses), and the conversion from Interaction records.
import type { AttributeValue } from '../../otlp/records.ts';
import type { Interaction, Message, SubAgent, ToolCall } from '../../normalize/interaction.ts';

/** The columns ingest writes, in the order of the table (project_id and the timestamps aside). */
export const INTERACTION_COLUMNS = [
  'id', 'trace_id', 'span_id', 'operation', 'name', 'start_time', 'start_time_unix_nano', 'response_time_ms',
  'time_to_first_token_ms', 'session_id', 'user_id', 'agent_name', 'agent_id', 'service_name', 'service_version',
  'system_instructions', 'user_input', 'response', 'request_model', 'response_model', 'provider', 'input_tokens',
  'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'reasoning_output_tokens',
  'finish_reasons', 'tools', 'intent', 'confidence', 'knowledge_sources', 'prompt_version', 'expected_output',
  'status', 'error_type', 'error_message', 'span_ids', 'conventions', 'sub_agents',
] as const;

export type InteractionColumn = (typeof INTERACTION_COLUMNS)[number];

/** A row of interactions as node-postgres returns it: bigint columns as decimal strings, timestamps as Date. */
export interface InteractionRow {
  project_id: number;
  id: string;
  trace_id: string;
  span_id: string;
  operation: string;
  name: string;
  start_time: Date;
  start_time_unix_nano: string;
  response_time_ms: number;
  time_to_first_token_ms: number | null;
  session_id: string | null;
  user_id: string | null;
  agent_name: string | null;
  agent_id: string | null;
  service_name: string | null;
  service_version: string | null;
  system_instructions: AttributeValue[] | null;
  user_input: Message[] | null;
  response: Message[] | null;
  request_model: string | null;
  response_model: string | null;
  provider: string | null;
  input_tokens: string | null;
  output_tokens: string | null;
  cache_read_input_tokens: string | null;
  cache_creation_input_tokens: string | null;
  reasoning_output_tokens: string | null;
  finish_reasons: string[];
  tools: ToolCall[];
  intent: string | null;
  confidence: number | null;
  knowledge_sources: string[];
  prompt_version: string | null;
  expected_output: string | null;
  status: Interaction['status'];
  error_type: string | null;
  error_message: string | null;
  span_ids: string[];
  conventions: string[];
  sub_agents: SubAgent[];
  created_at: Date;
  updated_at: Date;
}

/** Every column of the table, as the row type has them (a test compares it with the schema). */
export const INTERACTION_ROW_COLUMNS = [
  'project_id', ...INTERACTION_COLUMNS, 'created_at', 'updated_at',
] as const satisfies readonly (keyof InteractionRow)[];

/** The written columns of one interaction (timestamps as ISO text, counts as numbers: jsonb_populate_recordset casts). */
export function interactionToRow(i: Interaction): Record<InteractionColumn, unknown> {
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
    sub_agents: i.subAgents,
  };
}

/** Nanoseconds since the epoch -> ISO timestamp with microseconds (Postgres' precision). */
export function nanosToIso(nanos: bigint): string {
  const micros = nanos / 1000n;
  const date = new Date(Number(micros / 1000n));
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}
