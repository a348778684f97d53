// The per-trace lock every writer of a trace takes: ingest (spans, log records) and feedback.
import type pg from 'pg';

/**
 * Spans of one trace may arrive in any order, in concurrent requests. A transaction-scoped
 * advisory lock per (project, trace) (taken in a fixed order, so two batches cannot deadlock)
 * makes the read-merge-write of a trace's interactions see every span committed before it.
 * Two projects sending the same trace id never wait for each other.
 */
export async function lockTraces(client: pg.ClientBase, projectId: number, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT hashtextextended($1 || ':' || t, 0) AS k FROM unnest($2::text[]) AS t ORDER BY 1) AS keys`,
    [String(projectId), traceIds],
  );
}
