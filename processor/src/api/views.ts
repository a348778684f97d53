// How the REST API shows stored records: interactions, their spans and events, and their
// quality (scores, gate, feedback, the judge's verdict). One place, shared by the routes.
import type { StoredFeedback } from '../normalize/feedback.ts';
import type { InteractionRow } from '../store/interactions/queries.ts';
import type { QualityDetail } from '../store/quality/scores.ts';
import type { LogRow, SpanRow } from '../store/telemetry/rows.ts';

const count = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The interaction as the API shows it (README, "REST: interactions"): its columns, camelCase. */
export function interactionToJson(row: InteractionRow) {
  return {
    id: row.id,
    traceId: row.trace_id,
    spanId: row.span_id,
    operation: row.operation,
    name: row.name,
    timestamp: row.start_time.toISOString(),
    responseTimeMs: row.response_time_ms,
    timeToFirstTokenMs: row.time_to_first_token_ms,
    sessionId: row.session_id,
    userId: row.user_id,
    agent: {
      name: row.agent_name,
      id: row.agent_id,
      serviceName: row.service_name,
      serviceVersion: row.service_version,
    },
    systemInstructions: row.system_instructions,
    userInput: row.user_input,
    response: row.response,
    model: { request: row.request_model, response: row.response_model },
    provider: row.provider,
    tokens: {
      input: count(row.input_tokens),
      output: count(row.output_tokens),
      cacheReadInput: count(row.cache_read_input_tokens),
      cacheCreationInput: count(row.cache_creation_input_tokens),
      reasoningOutput: count(row.reasoning_output_tokens),
    },
    finishReasons: row.finish_reasons,
    tools: row.tools,
    subAgents: row.sub_agents,
    intent: row.intent,
    confidence: row.confidence,
    knowledgeSources: row.knowledge_sources,
    promptVersion: row.prompt_version,
    expectedOutput: row.expected_output,
    status: row.status,
    error: row.error_type === null && row.error_message === null ? null : { type: row.error_type, message: row.error_message },
    spanIds: row.span_ids,
    conventions: row.conventions,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function spanToJson(row: SpanRow) {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind,
    startTimeUnixNano: row.start_time_unix_nano,
    endTimeUnixNano: row.end_time_unix_nano,
    status: { code: row.status_code, message: row.status_message },
    attributes: row.attributes,
    links: row.links,
    resource: row.resource.attributes,
    scope: { name: row.scope.name, version: row.scope.version },
  };
}

export function logToEventJson(row: LogRow) {
  return {
    source: 'log_record',
    spanId: row.span_id,
    name: row.event_name || (typeof row.attributes['event.name'] === 'string' ? row.attributes['event.name'] : ''),
    timeUnixNano: row.time_unix_nano,
    severityNumber: row.severity_number,
    attributes: row.attributes,
    body: row.body,
  };
}

export function feedbackToJson(f: StoredFeedback) {
  return {
    idempotencyKey: f.idempotencyKey,
    source: f.source,
    spanId: f.spanId,
    name: f.name,
    score: f.score,
    rating: f.rating,
    thumbs: f.thumbs,
    label: f.label,
    comment: f.comment,
    correction: f.correction,
    userId: f.userId,
    createdAt: f.createdAt.toISOString(),
  };
}

/**
 * An interaction's quality: `status` is scored, or pending (queued, not scored yet); the five
 * dimensions with source and details (or why missing); the implicit signals; the gate; the
 * feedback joined to it; the judge's verdict and what it cost; a queued re-score, if any.
 */
export function qualityToJson(detail: QualityDetail) {
  const s = detail.scores;
  const j = detail.judgement;
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    status: s === null ? 'pending' : 'scored',
    scores: s?.dimensions ?? null,
    missing: s?.missing ?? null,
    signals: s?.signals ?? null,
    gate:
      s === null
        ? null
        : { eligible: s.eligible, reason: s.ineligible_reason, outcome: s.outcome, improvementAreas: s.improvement_areas },
    feedback: detail.feedback.map(feedbackToJson),
    judge:
      j === null
        ? null
        : {
            status: j.status,
            model: j.model,
            verdict: j.status === 'done' ? { accuracy: j.accuracy, completeness: j.completeness, relevance: j.relevance } : null,
            rationale: j.rationale,
            attempts: j.attempts,
            tokens: { input: j.input_tokens, output: j.output_tokens },
            costUsd: j.cost_usd,
            latencyMs: j.latency_ms,
            error: j.error,
            requestedAt: iso(j.requested_at),
            judgedAt: iso(j.judged_at),
          },
    scorings: s?.scorings ?? 0,
    scoredBy: s?.scored_by ?? null,
    scoredAt: iso(s?.scored_at),
    rescore: detail.queued === null ? null : { reason: detail.queued.reason },
  };
}
