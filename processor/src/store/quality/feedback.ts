// The feedback table: explicit feedback from both doors, POST /api/feedback and
// gen_ai.evaluation.result log records (read by normalize/feedback.ts, written by
// telemetry/write.ts in the log batch's transaction).
// Feedback names a span; it belongs to the interaction of that trace whose spans include it,
// so feedback that arrives first is kept and joined when its interaction does.
import type pg from 'pg';
import type { Feedback, StoredFeedback } from '../../normalize/feedback.ts';
import { lockTraces } from '../trace-locks.ts';
import { requestRescore } from './score-queue.ts';
import { toPostgresJson } from '../telemetry/rows.ts';

const COLUMNS = 'idempotency_key, trace_id, span_id, source, name, score, rating, thumbs, label, comment, correction, user_id';

function toRow(f: Feedback) {
  return {
    idempotency_key: f.idempotencyKey,
    trace_id: f.traceId,
    span_id: f.spanId,
    source: f.source,
    name: f.name,
    score: f.score,
    rating: f.rating,
    thumbs: f.thumbs,
    label: f.label,
    comment: f.comment,
    correction: f.correction,
    user_id: f.userId,
  };
}

/** Inserts feedback of one project, skipping idempotency keys already stored; returns the keys stored now. */
export async function insertFeedback(client: pg.ClientBase, projectId: number, feedback: readonly Feedback[]): Promise<Set<string>> {
  if (feedback.length === 0) return new Set();
  const { rows } = await client.query<{ idempotency_key: string }>(
    `INSERT INTO feedback (project_id, ${COLUMNS})
     SELECT $2, ${COLUMNS} FROM jsonb_populate_recordset(null::feedback, $1::jsonb)
     ON CONFLICT (project_id, idempotency_key) DO NOTHING
     RETURNING idempotency_key`,
    [toPostgresJson(feedback.map(toRow)), projectId],
  );
  return new Set(rows.map((r) => r.idempotency_key));
}

export interface RecordedFeedback {
  idempotencyKey: string;
  /** False when the key was stored before (a retry): nothing was written. */
  stored: boolean;
  /** The interaction it joined, or null while that has not arrived (pending). */
  interactionId: string | null;
}

/**
 * POST /api/feedback's write, in the caller's transaction: under the same per-trace locks as
 * ingest (so an interaction committed concurrently is either seen here or sees this feedback
 * when scored), stores the feedback and asks for the interactions it joins to be re-scored.
 */
export async function recordFeedback(client: pg.ClientBase, projectId: number, feedback: readonly Feedback[]): Promise<RecordedFeedback[]> {
  await lockTraces(client, projectId, [...new Set(feedback.map((f) => f.traceId))]);
  const stored = await insertFeedback(client, projectId, feedback);
  const { rows } = await client.query<{ idempotency_key: string; interaction_id: string | null }>(
    `SELECT f.idempotency_key, i.id AS interaction_id
     FROM unnest($1::text[], $2::text[], $3::text[]) AS f (idempotency_key, trace_id, span_id)
     LEFT JOIN LATERAL (
       SELECT id FROM interactions i
       WHERE i.project_id = $4 AND i.trace_id = f.trace_id AND f.span_id = ANY (i.span_ids) LIMIT 1
     ) i ON true`,
    [feedback.map((f) => f.idempotencyKey), feedback.map((f) => f.traceId), feedback.map((f) => f.spanId), projectId],
  );
  const joined = new Map(rows.map((r) => [r.idempotency_key, r.interaction_id]));
  const rescore = [...new Set(rows.flatMap((r) => (r.interaction_id !== null && stored.has(r.idempotency_key) ? [r.interaction_id] : [])))];
  await requestRescore(client, projectId, rescore, 'feedback');
  // A key repeated within the request is stored once: its first item.
  const seen = new Set<string>();
  return feedback.map((f) => {
    const first = !seen.has(f.idempotencyKey);
    seen.add(f.idempotencyKey);
    return { idempotencyKey: f.idempotencyKey, stored: first && stored.has(f.idempotencyKey), interactionId: joined.get(f.idempotencyKey) ?? null };
  });
}

/** Feedback on each of the given interactions of one project (joined through their spans), oldest first. */
export async function feedbackOf(
  db: pg.ClientBase | pg.Pool,
  projectId: number,
  interactionIds: readonly string[],
): Promise<Map<string, StoredFeedback[]>> {
  const byInteraction = new Map<string, StoredFeedback[]>();
  if (interactionIds.length === 0) return byInteraction;
  const { rows } = await db.query<Record<string, unknown> & { interaction_id: string }>(
    `SELECT i.id AS interaction_id, f.*
     FROM interactions i
     JOIN feedback f ON f.project_id = i.project_id AND f.trace_id = i.trace_id AND f.span_id = ANY (i.span_ids)
     WHERE i.project_id = $1 AND i.id = ANY ($2::text[])
     ORDER BY f.id`,
    [projectId, interactionIds],
  );
  for (const row of rows) {
    const list = byInteraction.get(row.interaction_id);
    const f = rowToFeedback(row);
    if (list === undefined) byInteraction.set(row.interaction_id, [f]);
    else list.push(f);
  }
  return byInteraction;
}

function rowToFeedback(row: Record<string, unknown>): StoredFeedback {
  return {
    id: Number(row.id),
    idempotencyKey: row.idempotency_key as string,
    traceId: row.trace_id as string,
    spanId: row.span_id as string,
    source: row.source as 'api' | 'otlp',
    name: row.name as string,
    score: row.score as number | null,
    rating: row.rating as number | null,
    thumbs: row.thumbs as 'up' | 'down' | null,
    label: row.label as string | null,
    comment: row.comment as string | null,
    correction: row.correction as string | null,
    userId: row.user_id as string | null,
    createdAt: row.created_at as Date,
  };
}
