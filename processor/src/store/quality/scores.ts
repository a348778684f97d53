// The interaction_scores table: what the scoring worker reads to score a batch (interactions,
// their conversation neighbours, feedback and judge verdicts) and writes back; and the reads
// of the REST API (one interaction's quality, summaries per agent and time bucket).
import type pg from 'pg';
import type { Message } from '../../normalize/interaction.ts';
import type { ScoredInteraction, Turn } from '../../score/quality.ts';
import type { StoredFeedback } from '../../normalize/feedback.ts';
import type { InteractionRow } from '../interactions/rows.ts';
import { feedbackOf } from './feedback.ts';
import { sourceUpdateTimes } from '../knowledge/sources.ts';
import { toPostgresJson } from '../telemetry/rows.ts';

export interface StoredVerdict {
  contentHash: string;
  status: 'pending' | 'done' | 'failed';
  accuracy: number | null;
  completeness: number | null;
  relevance: number | null;
  rationale: string | null;
}

export interface ScoringInputs {
  /**
   * `awaitingParent`: the interaction's span, or a stored span above it, names a parent span that
   * is not stored (yet), so the interaction may be part of a larger one that replaces it when
   * that parent arrives.
   */
  interactions: (ScoredInteraction & { updatedAt: Date; awaitingParent: boolean })[];
  previous: Map<string, Turn>;
  next: Map<string, Turn>;
  feedback: Map<string, StoredFeedback[]>;
  verdicts: Map<string, StoredVerdict>;
  /** Last change of the knowledge behind the interactions' `flywheel.knowledge.sources` entries, where known. */
  sourceUpdatedAt: Map<string, number>;
}

/** The interaction columns the scorer reads. */
const SCORED_COLUMNS = [
  'id', 'session_id', 'start_time_unix_nano', 'response_time_ms', 'user_input', 'response', 'finish_reasons', 'tools',
  'status', 'error_type', 'knowledge_sources', 'expected_output', 'updated_at',
] as const satisfies readonly (keyof InteractionRow)[];

type ScoredRow = Pick<InteractionRow, (typeof SCORED_COLUMNS)[number]>;

/** Everything the scorer needs for these interactions of one project; ids without an interaction (deleted) are left out. */
export async function loadScoringInputs(client: pg.ClientBase, projectId: number, ids: readonly string[]): Promise<ScoringInputs> {
  // awaiting_parent: walking up from the interaction's span through stored parents ends at a
  // span whose parent is named but not stored. UNION (not UNION ALL) stops on a parent cycle.
  const { rows } = await client.query<ScoredRow & { awaiting_parent: boolean }>(
    `SELECT ${SCORED_COLUMNS.map((c) => `i.${c}`).join(', ')}, up.awaiting_parent
     FROM interactions i CROSS JOIN LATERAL (
       WITH RECURSIVE chain (span_id, parent_span_id) AS (
         SELECT s.span_id, s.parent_span_id FROM spans s
         WHERE s.project_id = $1 AND s.trace_id = i.trace_id AND s.span_id = i.span_id
         UNION
         SELECT p.span_id, p.parent_span_id FROM chain
         JOIN spans p ON p.project_id = $1 AND p.trace_id = i.trace_id AND p.span_id = chain.parent_span_id
       )
       SELECT EXISTS (
         SELECT 1 FROM chain WHERE chain.parent_span_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM spans p WHERE p.project_id = $1 AND p.trace_id = i.trace_id AND p.span_id = chain.parent_span_id)
       ) AS awaiting_parent
     ) up
     WHERE i.project_id = $1 AND i.id = ANY ($2::text[])`,
    [projectId, ids],
  );
  const interactions = rows.map((row) => ({
    ...rowToScored(row),
    updatedAt: row.updated_at,
    awaitingParent: row.awaiting_parent as boolean,
  }));
  const present = interactions.map((i) => i.id);
  const previous = new Map<string, Turn>();
  const next = new Map<string, Turn>();
  const withSession = interactions.filter((i) => i.sessionId !== null).map((i) => i.id);
  if (withSession.length > 0) {
    // The turns before and after are interactions of the conversation in other traces (an agent's
    // several LLM calls in one trace are one request, not turns). Row comparison on
    // (start_time_unix_nano, id) walks interactions_session_time_idx.
    const neighbours = await client.query<Record<string, unknown> & { for_id: string; position: 'previous' | 'next' }>(
      `SELECT c.id AS for_id, 'previous' AS position, n.*
       FROM interactions c CROSS JOIN LATERAL (
         SELECT id, start_time_unix_nano, response_time_ms, user_input FROM interactions p
         WHERE p.project_id = c.project_id AND p.session_id = c.session_id
           AND (p.start_time_unix_nano, p.id) < (c.start_time_unix_nano, c.id)
           AND p.trace_id <> c.trace_id
         ORDER BY p.start_time_unix_nano DESC, p.id DESC LIMIT 1) n
       WHERE c.project_id = $2 AND c.id = ANY ($1::text[])
       UNION ALL
       SELECT c.id, 'next', n.*
       FROM interactions c CROSS JOIN LATERAL (
         SELECT id, start_time_unix_nano, response_time_ms, user_input FROM interactions f
         WHERE f.project_id = c.project_id AND f.session_id = c.session_id
           AND (f.start_time_unix_nano, f.id) > (c.start_time_unix_nano, c.id)
           AND f.trace_id <> c.trace_id
         ORDER BY f.start_time_unix_nano, f.id LIMIT 1) n
       WHERE c.project_id = $2 AND c.id = ANY ($1::text[])`,
      [withSession, projectId],
    );
    for (const row of neighbours.rows) {
      const turn: Turn = {
        id: row.id as string,
        startTimeUnixNano: BigInt(row.start_time_unix_nano as string),
        responseTimeMs: row.response_time_ms as number,
        userInput: row.user_input as Message[] | null,
      };
      (row.position === 'previous' ? previous : next).set(row.for_id, turn);
    }
  }
  const feedback = await feedbackOf(client, projectId, present);
  const verdicts = new Map<string, StoredVerdict>();
  if (present.length > 0) {
    const judged = await client.query<Record<string, unknown>>(
      `SELECT interaction_id, content_hash, status, accuracy, completeness, relevance, rationale
       FROM judgements WHERE project_id = $1 AND interaction_id = ANY ($2::text[])`,
      [projectId, present],
    );
    for (const row of judged.rows) {
      verdicts.set(row.interaction_id as string, {
        contentHash: row.content_hash as string,
        status: row.status as StoredVerdict['status'],
        accuracy: row.accuracy as number | null,
        completeness: row.completeness as number | null,
        relevance: row.relevance as number | null,
        rationale: row.rationale as string | null,
      });
    }
  }
  const sourceUpdatedAt = await sourceUpdateTimes(client, projectId, interactions.flatMap((i) => i.knowledgeSources));
  return { interactions, previous, next, feedback, verdicts, sourceUpdatedAt };
}

export function rowToScored(row: Omit<ScoredRow, 'updated_at'>): ScoredInteraction {
  return {
    id: row.id,
    sessionId: row.session_id,
    startTimeUnixNano: BigInt(row.start_time_unix_nano),
    responseTimeMs: row.response_time_ms,
    userInput: row.user_input,
    response: row.response,
    finishReasons: row.finish_reasons,
    tools: row.tools,
    status: row.status,
    errorType: row.error_type,
    knowledgeSources: row.knowledge_sources,
    expectedOutput: row.expected_output,
  };
}

/** One row of interaction_scores as the worker writes it. */
export interface ScoreRow {
  interaction_id: string;
  accuracy: number | null;
  completeness: number | null;
  relevance: number | null;
  timeliness: number | null;
  satisfaction: number;
  dimensions: unknown;
  missing: string[];
  signals: unknown;
  eligible: boolean;
  ineligible_reason: string | null;
  outcome: 'reinforce' | 'improve';
  improvement_areas: string[];
  next_interaction_id: string | null;
  feedback_count: number;
  judged: boolean;
  scored_by: string;
}

const SCORE_COLUMNS = [
  'interaction_id', 'accuracy', 'completeness', 'relevance', 'timeliness', 'satisfaction', 'dimensions', 'missing',
  'signals', 'eligible', 'ineligible_reason', 'outcome', 'improvement_areas', 'next_interaction_id', 'feedback_count',
  'judged', 'scored_by',
];

/**
 * Upserts scores; returns how many times each interaction has now been scored. An interaction
 * deleted since it was read (absorbed by a later parent span) is skipped.
 */
export async function writeScores(client: pg.ClientBase, projectId: number, rows: readonly ScoreRow[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const result = await client.query<{ interaction_id: string; scorings: number }>(
    `INSERT INTO interaction_scores (project_id, ${SCORE_COLUMNS.join(', ')})
     SELECT $2, ${SCORE_COLUMNS.map((c) => `r.${c}`).join(', ')}
     FROM jsonb_populate_recordset(null::interaction_scores, $1::jsonb) r
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET
       ${SCORE_COLUMNS.filter((c) => c !== 'interaction_id').map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
       scorings = interaction_scores.scorings + 1,
       scored_at = now()
     RETURNING interaction_id, scorings`,
    [toPostgresJson(rows), projectId],
  );
  return new Map(result.rows.map((r) => [r.interaction_id, r.scorings]));
}

export interface QualityDetail {
  scores: Record<string, unknown> | null;
  feedback: StoredFeedback[];
  judgement: Record<string, unknown> | null;
  queued: { reason: string; changedAt: Date } | null;
}

/** The quality record of one interaction for GET /api/interactions/:id. */
export async function qualityOf(pool: pg.Pool, projectId: number, interactionId: string): Promise<QualityDetail> {
  const [scores, feedback, judgement, queued] = await Promise.all([
    pool.query<Record<string, unknown>>('SELECT * FROM interaction_scores WHERE project_id = $1 AND interaction_id = $2', [
      projectId,
      interactionId,
    ]),
    feedbackOf(pool, projectId, [interactionId]),
    pool.query<Record<string, unknown>>(
      `SELECT status, model, accuracy, completeness, relevance, rationale, attempts, input_tokens, output_tokens, cost_usd,
              latency_ms, error, requested_at, judged_at
       FROM judgements WHERE project_id = $1 AND interaction_id = $2`,
      [projectId, interactionId],
    ),
    pool.query<{ reason: string; changed_at: Date }>(
      'SELECT reason, changed_at FROM score_queue WHERE project_id = $1 AND interaction_id = $2',
      [projectId, interactionId],
    ),
  ]);
  const q = queued.rows[0];
  return {
    scores: scores.rows[0] ?? null,
    feedback: feedback.get(interactionId) ?? [],
    judgement: judgement.rows[0] ?? null,
    queued: q === undefined ? null : { reason: q.reason, changedAt: q.changed_at },
  };
}

export interface SummaryFilter {
  bucket: 'minute' | 'hour' | 'day' | 'week';
  agent?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export interface SummaryRow {
  agent: string | null;
  bucket_start: Date;
  scored: number;
  eligible: number;
  reinforce: number;
  judged: number;
  accuracy: number | null;
  completeness: number | null;
  relevance: number | null;
  timeliness: number | null;
  satisfaction: number | null;
}

/** Scored interactions per agent and time bucket (of the interaction's start), oldest first. */
export async function scoreSummary(pool: pg.Pool, projectId: number, filter: SummaryFilter): Promise<SummaryRow[]> {
  const where: string[] = ['s.project_id = $2'];
  const params: unknown[] = [filter.bucket, projectId];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.agent !== undefined) add((p) => `(i.agent_name = ${p} OR i.agent_id = ${p})`, filter.agent);
  if (filter.since !== undefined) add((p) => `i.start_time >= ${p}::timestamptz`, filter.since);
  if (filter.until !== undefined) add((p) => `i.start_time < ${p}::timestamptz`, filter.until);
  const { rows } = await pool.query<SummaryRow>(
    `SELECT coalesce(i.agent_name, i.agent_id, i.service_name) AS agent,
            date_trunc($1, i.start_time, 'UTC') AS bucket_start,
            count(*)::int AS scored,
            count(*) FILTER (WHERE s.eligible)::int AS eligible,
            count(*) FILTER (WHERE s.outcome = 'reinforce')::int AS reinforce,
            count(*) FILTER (WHERE s.judged)::int AS judged,
            avg(s.accuracy) AS accuracy, avg(s.completeness) AS completeness, avg(s.relevance) AS relevance,
            avg(s.timeliness) AS timeliness, avg(s.satisfaction) AS satisfaction
     FROM interaction_scores s JOIN interactions i ON i.project_id = s.project_id AND i.id = s.interaction_id
     WHERE ${where.join(' AND ')}
     GROUP BY 1, 2
     ORDER BY 2, 1`,
    params,
  );
  return rows;
}
