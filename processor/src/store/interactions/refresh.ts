// Brings the interactions of the traces a batch touched up to date, reading and rewriting only
// the subtrees the batch can change (subtrees.ts explains which), so a batch costs the
// same whether its trace holds ten spans or ten thousand. The result is what building the whole
// trace at once gives, whatever the order and grouping the spans and log records arrived in.
// A trace none of whose spans was stored before the batch (the common case) is walked in memory,
// from the batch alone. A subtree whose build throws keeps its earlier interactions; the failure
// is recorded (failures.ts) and the subtree is built again when more of its trace arrives.
import type pg from 'pg';
import type { SpanRole } from '../../normalize/assemble.ts';
import type { Feedback, KeyedLogRecord } from '../../normalize/feedback.ts';
import type { Interaction } from '../../normalize/interaction.ts';
import type { LogRecord, SpanRecord } from '../../otlp/records.ts';
import { type BuildFailure, errorText, settleFailures } from './failures.ts';
import { INTERACTION_COLUMNS, interactionToRow } from './rows.ts';
import { upsertAndEnqueue } from '../quality/score-queue.ts';
import { rowToLog, rowToSpan, SPAN_COLUMNS, type SpanRow, toPostgresJson } from '../telemetry/rows.ts';
import {
  addSpan,
  pairs,
  readAncestry,
  readLogsOf,
  readSpans,
  readSubtreeSpanIds,
  type SpanLink,
  type SpansByTrace,
  subtreeRoots,
} from './subtrees.ts';

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

export interface NewSpan {
  span: SpanRecord;
  role: SpanRole;
}

/** What a batch stored, per trace. */
export interface Changes {
  /** Spans stored by this batch (one copy per id, as stored), by trace and span id. */
  spans: Map<string, Map<string, NewSpan>>;
  /** Spans named by log records stored by this batch (stored or not). */
  spansWithNewLogs: SpansByTrace;
}

/** What is stored of a trace (probeTraces). */
export interface TraceState {
  /** Spans are stored (before this batch's own, when probed before they were inserted). */
  spans: boolean;
  /** Log records are stored. */
  logs: boolean;
  /** Spans are stored without their genai_role (before migration 0008, or by an older processor). */
  unclassified: boolean;
  /** Roots of the subtrees that failed to build (interaction_failures), or null. */
  failed: string[] | null;
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

/**
 * What is stored of each trace: one query, four index probes per trace. Each probe is a LATERAL
 * subquery with LIMIT 1: as EXISTS, the planner hashed every span and log record of the project
 * on statistics that predate most of the table (4 ms at 10k spans, growing with it; 0.5 ms so).
 */
export async function probeTraces(client: pg.ClientBase, projectId: number, traceIds: string[]): Promise<Map<string, TraceState>> {
  const { rows } = await client.query<{ trace_id: string; spans: boolean; logs: boolean; unclassified: boolean; failed: string[] | null }>(
    `SELECT t.trace_id, s.found IS NOT NULL AS spans, l.found IS NOT NULL AS logs, u.found IS NOT NULL AS unclassified,
       f.span_ids AS failed
     FROM unnest($2::text[]) AS t (trace_id)
     LEFT JOIN LATERAL (SELECT true AS found FROM spans WHERE project_id = $1 AND trace_id = t.trace_id LIMIT 1) AS s ON true
     LEFT JOIN LATERAL (SELECT true AS found FROM log_records WHERE project_id = $1 AND trace_id = t.trace_id LIMIT 1) AS l ON true
     LEFT JOIN LATERAL (
       SELECT true AS found FROM spans WHERE project_id = $1 AND trace_id = t.trace_id AND genai_role IS NULL LIMIT 1
     ) AS u ON true
     LEFT JOIN LATERAL (SELECT span_ids FROM interaction_failures WHERE project_id = $1 AND trace_id = t.trace_id) AS f ON true`,
    [projectId, traceIds],
  );
  return new Map(rows.map((r) => [r.trace_id, { spans: r.spans, logs: r.logs, unclassified: r.unclassified, failed: r.failed }]));
}

/**
 * Rebuilds what `changes` can have changed (the traces locked by the caller). `states` are the
 * traces as probed before this batch's spans were stored (after its log records were).
 */
export async function refreshInteractions(
  client: pg.ClientBase,
  projectId: number,
  states: ReadonlyMap<string, TraceState>,
  changes: Changes,
  normalizer: Normalizer,
): Promise<RefreshResult> {
  const batch = (traceId: string) => changes.spans.get(traceId) ?? new Map<string, NewSpan>();
  const isStored = (traceId: string) => states.get(traceId)?.spans === true;

  // Seeds: what changed, and what failed to build before. Links: the spans on the way up from
  // them, from the batch, else from the database (only traces stored before have any there).
  const seeds: SpansByTrace = new Map();
  const links = new Map<string, Map<string, SpanLink>>();
  const unclassified = [...states].filter(([, s]) => s.unclassified).map(([t]) => t);
  const dbSeeds = await classifyEarlierSpans(client, projectId, unclassified, normalizer);
  for (const [traceId, ids] of dbSeeds) for (const id of ids) addSpan(seeds, traceId, id);
  for (const [traceId, spans] of changes.spans) {
    const traceLinks = new Map<string, SpanLink>();
    links.set(traceId, traceLinks);
    for (const [spanId, { span, role }] of spans) {
      addSpan(seeds, traceId, spanId);
      traceLinks.set(spanId, { spanId, parentSpanId: span.parentSpanId, role });
    }
    if (!isStored(traceId)) continue;
    for (const { span } of spans.values()) {
      if (span.parentSpanId !== null && !spans.has(span.parentSpanId)) addSpan(dbSeeds, traceId, span.parentSpanId);
    }
  }
  for (const [traceId, state] of states) {
    for (const id of state.failed ?? []) addSpan(seeds, traceId, id);
    for (const id of state.failed ?? []) addSpan(dbSeeds, traceId, id);
  }
  for (const [traceId, ids] of changes.spansWithNewLogs) {
    if (!isStored(traceId) && !changes.spans.has(traceId)) continue;
    for (const id of ids) {
      addSpan(seeds, traceId, id);
      if (!batch(traceId).has(id)) addSpan(dbSeeds, traceId, id);
    }
  }
  if (dbSeeds.size > 0) {
    for (const [traceId, stored] of await readAncestry(client, projectId, dbSeeds)) {
      const traceLinks = links.get(traceId) ?? new Map<string, SpanLink>();
      links.set(traceId, traceLinks);
      for (const [id, link] of stored) if (!traceLinks.has(id)) traceLinks.set(id, link);
    }
  }

  const roots: SpansByTrace = new Map();
  const unowned: SpansByTrace = new Map();
  for (const [traceId, traceLinks] of links) {
    const found = subtreeRoots(traceLinks, seeds.get(traceId) ?? [], (id) => batch(traceId).has(id));
    for (const root of found.roots) addSpan(roots, traceId, root);
    // A trace new with this batch has no interactions beneath its spans but those built now.
    if (isStored(traceId)) for (const span of found.unowned) if (batch(traceId).has(span)) addSpan(unowned, traceId, span);
  }
  await requeueBeneath(client, projectId, unowned);
  const subtrees = await readSubtrees(client, projectId, roots, changes, states);

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
    if (isStored(subtree.traceId)) for (const span of subtree.spans) addSpan(rebuilt, subtree.traceId, span.spanId);
  }

  // An interaction can disappear: a top-most chat span stops being one when its invoke_agent
  // parent arrives later. The rows are found by key (LATERAL ... OFFSET 0, see subtrees.ts)
  // and deleted by ctid: as a join, the delete scanned every interaction of the project on
  // statistics that predate most of the table (150 ms at 2,500 interactions). Only a trace
  // stored before can have interactions.
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
  const failedBefore = [...states].filter(([, s]) => s.failed !== null).map(([t]) => t);
  if (failures.size > 0 || failedBefore.length > 0) await settleFailures(client, projectId, failedBefore, [...failures.values()]);
  return { interactions: built.length, failures: [...failures.values()] };
}

/**
 * The interactions beneath new spans that own nothing (a session span arriving last) do not
 * change, but whether they still await a parent span may: they are queued to be scored again
 * (as ingest queues what it rewrites, score-queue.ts), not rewritten.
 */
async function requeueBeneath(client: pg.ClientBase, projectId: number, spans: SpansByTrace): Promise<void> {
  if (spans.size === 0) return;
  const [traceIds, spanIds] = pairs(spans);
  await client.query(
    `WITH RECURSIVE down (trace_id, span_id, genai_role) AS (
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
     INSERT INTO score_queue (project_id, interaction_id, changed_at, reason)
     SELECT $1, i.id, now(), 'ingest'
     FROM down CROSS JOIN LATERAL (
       SELECT id FROM interactions WHERE project_id = $1 AND trace_id = down.trace_id AND span_id = down.span_id OFFSET 0
     ) AS i
     ON CONFLICT (project_id, interaction_id) DO UPDATE SET changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason`,
    [projectId, traceIds, spanIds],
  );
}

/**
 * The spans beneath each root, and the log records naming them, one Subtree per root. Spans of
 * the batch come from memory; of a trace stored before, the others are read.
 */
async function readSubtrees(
  client: pg.ClientBase,
  projectId: number,
  roots: SpansByTrace,
  changes: Changes,
  states: ReadonlyMap<string, TraceState>,
): Promise<Subtree[]> {
  const subtrees: Subtree[] = [];
  const subtreeOf = new Map<string, Subtree>();
  const add = (subtree: Subtree, span: SpanRecord) => {
    subtree.spans.push(span);
    subtreeOf.set(`${subtree.traceId}/${span.spanId}`, subtree);
  };
  const storedRoots: SpansByTrace = new Map();
  for (const [traceId, ids] of roots) {
    if (states.get(traceId)?.spans === true) {
      storedRoots.set(traceId, ids);
      continue;
    }
    const spans = changes.spans.get(traceId) ?? new Map<string, NewSpan>();
    const children = new Map<string, string[]>();
    for (const { span } of spans.values()) {
      if (span.parentSpanId === null || span.parentSpanId === span.spanId) continue;
      children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span.spanId]);
    }
    for (const root of ids) {
      const subtree: Subtree = { traceId, root, spans: [], logs: [] };
      subtrees.push(subtree);
      const seen = new Set([root]);
      for (const queue = [root]; queue.length > 0; ) {
        const id = queue.pop() as string;
        add(subtree, (spans.get(id) as NewSpan).span);
        for (const child of children.get(id) ?? []) {
          if (seen.has(child)) continue;
          seen.add(child);
          queue.push(child);
        }
      }
    }
  }
  if (storedRoots.size > 0) {
    const toRead: SpansByTrace = new Map();
    const byKey = new Map<string, Subtree>();
    const rows = await readSubtreeSpanIds(client, projectId, storedRoots);
    for (const row of rows) {
      const key = `${row.trace_id}/${row.root}`;
      let subtree = byKey.get(key);
      if (subtree === undefined) {
        byKey.set(key, (subtree = { traceId: row.trace_id, root: row.root, spans: [], logs: [] }));
        subtrees.push(subtree);
      }
      const fresh = changes.spans.get(row.trace_id)?.get(row.span_id);
      if (fresh !== undefined) add(subtree, fresh.span);
      else {
        subtreeOf.set(`${row.trace_id}/${row.span_id}`, subtree);
        addSpan(toRead, row.trace_id, row.span_id);
      }
    }
    if (toRead.size > 0) {
      for (const row of await readSpans(client, projectId, toRead)) {
        (subtreeOf.get(`${row.trace_id}/${row.span_id}`) as Subtree).spans.push(rowToSpan(row));
      }
    }
  }
  // Evaluation records that name no stored span are left out: assembly would join them by
  // response id to Interaction.events only, which is not stored.
  const withLogs: SpansByTrace = new Map();
  for (const subtree of subtrees) {
    if (states.get(subtree.traceId)?.logs !== true) continue;
    for (const span of subtree.spans) addSpan(withLogs, subtree.traceId, span.spanId);
  }
  if (withLogs.size > 0) {
    for (const row of await readLogsOf(client, projectId, withLogs)) {
      subtreeOf.get(`${row.trace_id}/${row.span_id}`)?.logs.push(rowToLog(row));
    }
  }
  return subtrees;
}

/**
 * Spans stored without how assembly sees them (genai_role is null: before migration 0008, or by
 * an older processor): classified now, and all returned as seeds, so their traces are rebuilt
 * once in full.
 */
async function classifyEarlierSpans(
  client: pg.ClientBase,
  projectId: number,
  traceIds: string[],
  normalizer: Normalizer,
): Promise<SpansByTrace> {
  const seeds: SpansByTrace = new Map();
  if (traceIds.length === 0) return seeds;
  const { rows } = await client.query<SpanRow>(
    `SELECT ${SPAN_COLUMNS} FROM spans WHERE project_id = $1 AND trace_id = ANY($2::text[]) AND genai_role IS NULL`,
    [projectId, traceIds],
  );
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
