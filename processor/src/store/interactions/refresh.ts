// Brings the interactions of the traces a batch touched up to date, reading and rewriting only
// the subtrees the batch can change (subtrees.ts explains which), so a batch costs the
// same whether its trace holds ten spans or ten thousand. The result is what building the whole
// trace at once gives, whatever the order and grouping the spans and log records arrived in.
// A subtree whose build throws keeps its earlier interactions; the failure is recorded
// (failures.ts) and the subtree is built again when more of its trace arrives.
import type pg from 'pg';
import type { SpanRole } from '../../normalize/assemble.ts';
import type { Feedback, KeyedLogRecord } from '../../normalize/feedback.ts';
import type { Interaction } from '../../normalize/interaction.ts';
import type { LogRecord, SpanRecord } from '../../otlp/records.ts';
import { type BuildFailure, errorText, failedSubtrees, settleFailures } from './failures.ts';
import { INTERACTION_COLUMNS, interactionToRow } from './rows.ts';
import { upsertAndEnqueue } from '../quality/score-queue.ts';
import { LOG_COLUMNS, rowToLog, rowToSpan, SPAN_COLUMNS, type SpanRow, toPostgresJson } from '../telemetry/rows.ts';
import { addSpan, pairs, readAncestry, readLogsOf, readSubtrees, type SpansByTrace, subtreeRoots } from './subtrees.ts';

/**
 * The normalize stage: spans and GenAI log records in, interactions out; given a whole trace, or
 * a part of one closed downwards and the log records naming its spans (buildInteractions in
 * normalize/assemble.ts).
 */
export type InteractionBuilder = (spans: SpanRecord[], logs: LogRecord[]) => Interaction[];

/** What ingest needs of the normalize stage, passed in (the store does not import its code). */
export interface Normalizer {
  buildInteractions: InteractionBuilder;
  /** How assembly sees a span on its own: stored with it (spans.genai_role). */
  spanRoleOf(span: SpanRecord): SpanRole;
  /** The feedback (gen_ai.evaluation.result) among log records, for the feedback table. */
  feedbackFromLogs(logs: readonly KeyedLogRecord[]): Feedback[];
}

/** What a batch stored, per trace. */
export interface Changes {
  /** Spans stored by this batch. */
  spans: SpansByTrace;
  /** Spans named by log records stored by this batch (stored or not). */
  spansWithNewLogs: SpansByTrace;
}

export interface RefreshResult {
  /** Interactions inserted or recomputed. */
  interactions: number;
  /** Traces of which some subtree could not be built. */
  failures: BuildFailure[];
}



/** $1: the interactions' rows (jsonb), $2: their project. */
const UPSERT_INTERACTIONS = `
  INSERT INTO interactions (project_id, ${INTERACTION_COLUMNS.join(', ')})
  SELECT $2, ${INTERACTION_COLUMNS.join(', ')} FROM jsonb_populate_recordset(null::interactions, $1::jsonb)
  ON CONFLICT (project_id, id) DO UPDATE SET
    ${INTERACTION_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(',\n    ')},
    updated_at = now()`;

/** One subtree to build: its spans and the log records that join them. */
interface Subtree {
  traceId: string;
  root: string;
  spans: SpanRecord[];
  logs: LogRecord[];
}

/** Rebuilds what `changes` can have changed in the traces `traceIds` (locked by the caller). */
export async function refreshInteractions(
  client: pg.ClientBase,
  projectId: number,
  traceIds: string[],
  changes: Changes,
  normalizer: Normalizer,
): Promise<RefreshResult> {
  if (traceIds.length === 0) return { interactions: 0, failures: [] };
  const failedBefore = await failedSubtrees(client, projectId, traceIds);
  const seeds = union(
    changes.spans,
    changes.spansWithNewLogs,
    await classifyEarlierSpans(client, projectId, traceIds, normalizer),
    failedBefore,
  );
  const ancestry = await readAncestry(client, projectId, seeds);
  const roots: SpansByTrace = new Map();
  const unowned: SpansByTrace = new Map();
  for (const [traceId, links] of ancestry) {
    const isNew = (spanId: string) => changes.spans.get(traceId)?.has(spanId) ?? false;
    const found = subtreeRoots(links, seeds.get(traceId) ?? [], isNew);
    for (const root of found.roots) addSpan(roots, traceId, root);
    for (const span of found.unowned) if (isNew(span)) addSpan(unowned, traceId, span);
  }
  await requeueBeneath(client, projectId, unowned);
  const subtrees = await readSubtreesWithLogs(client, projectId, roots);

  const failures = new Map<string, BuildFailure>();
  const built: Interaction[] = [];
  const rebuilt: SpansByTrace = new Map();
  for (const subtree of subtrees) {
    let interactions: Interaction[];
    try {
      interactions = normalizer.buildInteractions(subtree.spans, subtree.logs);
    } catch (thrown) {
      const failure = failures.get(subtree.traceId);
      if (failure === undefined) {
        failures.set(subtree.traceId, { traceId: subtree.traceId, spanIds: [subtree.root], reason: 'build_error', error: errorText(thrown) });
      } else {
        failure.spanIds.push(subtree.root);
      }
      continue;
    }
    built.push(...interactions);
    for (const span of subtree.spans) addSpan(rebuilt, subtree.traceId, span.spanId);
  }

  // An interaction can disappear: a top-most chat span stops being one when its invoke_agent
  // parent arrives later. The rows are found by key (LATERAL ... OFFSET 0, see subtrees.ts)
  // and deleted by ctid: as a join, the delete scanned every interaction of the project on
  // statistics that predate most of the table (150 ms at 2,500 interactions).
  const [rebuiltTraces, rebuiltSpans] = pairs(rebuilt);
  if (rebuiltSpans.length > 0) {
    await client.query(
      `DELETE FROM interactions
       WHERE ctid = ANY (ARRAY(
         SELECT i.ctid FROM unnest($2::text[], $3::text[]) AS r (trace_id, span_id)
         CROSS JOIN LATERAL (
           SELECT ctid, id FROM interactions WHERE project_id = $1 AND trace_id = r.trace_id AND span_id = r.span_id OFFSET 0
         ) AS i
         WHERE NOT (i.id = ANY($4::text[]))
       ))`,
      [projectId, rebuiltTraces, rebuiltSpans, built.map((i) => i.id)],
    );
  }
  if (built.length > 0) {
    await client.query(upsertAndEnqueue(UPSERT_INTERACTIONS), [toPostgresJson(built.map(interactionToRow)), projectId]);
  }
  if (failures.size > 0 || failedBefore.size > 0) await settleFailures(client, projectId, [...failedBefore.keys()], [...failures.values()]);
  return { interactions: built.length, failures: [...failures.values()] };
}

/**
 * The interactions beneath new spans that own nothing (a session span arriving last) do not
 * change, but whether they still await a parent span does: they are queued to be scored again,
 * their updated_at set as if rewritten (the judge waits for that to be old enough).
 */
async function requeueBeneath(client: pg.ClientBase, projectId: number, spans: SpansByTrace): Promise<void> {
  if (spans.size === 0) return;
  const [traceIds, spanIds] = pairs(spans);
  await client.query(
    upsertAndEnqueue(`
      WITH RECURSIVE down (trace_id, span_id, genai_role) AS (
        SELECT trace_id, span_id, 'none' FROM unnest($2::text[], $3::text[]) AS t (trace_id, span_id)
        UNION
        SELECT c.trace_id, c.span_id, c.genai_role
        FROM down CROSS JOIN LATERAL (
          SELECT trace_id, span_id, genai_role FROM spans
          WHERE project_id = $1 AND trace_id = down.trace_id AND parent_span_id = down.span_id OFFSET 0
        ) AS c
        -- The first agent on the way down owns all beneath it (nothing above it owns anything).
        WHERE down.genai_role IS DISTINCT FROM 'agent'
      )
      UPDATE interactions SET updated_at = now()
      WHERE ctid = ANY (ARRAY(
        SELECT i.ctid FROM down CROSS JOIN LATERAL (
          SELECT ctid FROM interactions WHERE project_id = $1 AND trace_id = down.trace_id AND span_id = down.span_id OFFSET 0
        ) AS i
      ))`),
    [projectId, traceIds, spanIds],
  );
}

/** The spans beneath each root, and the log records naming them, one Subtree per root. */
async function readSubtreesWithLogs(client: pg.ClientBase, projectId: number, roots: SpansByTrace): Promise<Subtree[]> {
  if (roots.size === 0) return [];
  const subtrees = new Map<string, Subtree>();
  const subtreeOf = new Map<string, Subtree>();
  const spanIds: SpansByTrace = new Map();
  for (const row of await readSubtrees(client, projectId, roots, SPAN_COLUMNS)) {
    const key = `${row.trace_id}/${row.root}`;
    let subtree = subtrees.get(key);
    if (subtree === undefined) subtrees.set(key, (subtree = { traceId: row.trace_id, root: row.root, spans: [], logs: [] }));
    subtree.spans.push(rowToSpan(row));
    subtreeOf.set(`${row.trace_id}/${row.span_id}`, subtree);
    addSpan(spanIds, row.trace_id, row.span_id);
  }
  // Evaluation records that name no stored span are left out: assembly would join them by
  // response id to Interaction.events only, which is not stored.
  for (const row of await readLogsOf(client, projectId, spanIds, LOG_COLUMNS)) {
    subtreeOf.get(`${row.trace_id}/${row.span_id}`)?.logs.push(rowToLog(row));
  }
  return [...subtrees.values()];
}

/**
 * Spans stored before ingest kept how assembly sees them (genai_role is null): classified now,
 * and all returned as seeds, so their traces are rebuilt once in full.
 */
async function classifyEarlierSpans(
  client: pg.ClientBase,
  projectId: number,
  traceIds: string[],
  normalizer: Normalizer,
): Promise<SpansByTrace> {
  const { rows } = await client.query<SpanRow>(
    `SELECT ${SPAN_COLUMNS} FROM spans WHERE project_id = $1 AND trace_id = ANY($2::text[]) AND genai_role IS NULL`,
    [projectId, traceIds],
  );
  const seeds: SpansByTrace = new Map();
  if (rows.length === 0) return seeds;
  const roles = rows.map((row) => ({ trace_id: row.trace_id, span_id: row.span_id, genai_role: normalizer.spanRoleOf(rowToSpan(row)) }));
  await client.query(
    `UPDATE spans s SET genai_role = r.genai_role
     FROM jsonb_to_recordset($2::jsonb) AS r (trace_id text, span_id text, genai_role text)
     WHERE s.project_id = $1 AND s.trace_id = r.trace_id AND s.span_id = r.span_id`,
    [projectId, toPostgresJson(roles)],
  );
  for (const row of rows) addSpan(seeds, row.trace_id, row.span_id);
  return seeds;
}

function union(...sets: SpansByTrace[]): SpansByTrace {
  const all: SpansByTrace = new Map();
  for (const set of sets) for (const [traceId, ids] of set) for (const id of ids) addSpan(all, traceId, id);
  return all;
}
