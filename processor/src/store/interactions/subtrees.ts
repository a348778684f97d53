// Which parts of a trace a batch can change, found without reading the trace.
//
// Assembly (normalize/assemble.ts) decides which span owns which from the tree alone: an
// invoke_agent with no invoke_agent above it owns everything beneath it; another GenAI span owns
// its subtree when no interaction is above it and no invoke_agent beneath it; above the top-most
// GenAI span of a branch everything is non-GenAI and owns nothing. So when a span arrives (or
// an event of it), only the interactions beneath one span of its ancestry can change:
// - its top-most invoke_agent ancestor T, when T and every span above T were stored before this
//   batch: T owns its whole subtree before and after, and nothing beneath T changes what T's
//   ancestors own (they have an agent beneath them either way);
// - else its top-most GenAI ancestor G (itself included): what G's subtree owns depends on G's
//   subtree only;
// - else nothing: no GenAI span on the way up means the new span folds into nothing, and the
//   spans beneath it (tops until now) keep their owners, since everything above them is non-GenAI.
// A parent cycle (malformed input) is rebuilt whole: assembly breaks it at its earliest span,
// which may be any span whose ancestry runs into the cycle, and those are the spans beneath it.
// Spans are walked with recursive CTEs over (project_id, trace_id, span_id) upwards and
// (project_id, parent_span_id, trace_id) downwards; UNION (not UNION ALL) makes both stop at a
// cycle and visit a shared ancestor once.
// Every lookup by key is a LATERAL subquery with OFFSET 0, which the planner cannot flatten into
// a join: it becomes one index scan per key whatever the statistics say. As joins, a table that
// grew since its last ANALYZE got hash joins over every span of the project (measured: 5 to
// 15 ms per walk at 10k spans, growing with the table; 0.1 ms as lookups).
import type pg from 'pg';
import type { SpanRole } from '../../normalize/assemble.ts';
import { LOG_COLUMNS, type LogRow, SPAN_COLUMNS, type SpanRow } from '../telemetry/rows.ts';

/** What the walk knows of a stored span: its parent and how assembly sees it (spans.genai_role). */
export interface SpanLink {
  spanId: string;
  parentSpanId: string | null;
  role: SpanRole;
}

/** Span ids per trace id. */
export type SpansByTrace = Map<string, Set<string>>;

interface Chain {
  /** The smallest span id of the parent cycle the ancestry runs into, or null. */
  cycle: string | null;
  topGenAi: string | null;
  topAgent: string | null;
  /** Whether topAgent and every span above it were stored before this batch. */
  agentUpOld: boolean;
  /** Whether this span and every span above it were stored before this batch. */
  allOld: boolean;
}

export interface SubtreeRoots {
  /** Spans whose subtrees hold every interaction the seeds can change; none beneath another. */
  roots: string[];
  /**
   * Seeds with no GenAI span at or above them: they change no interaction, but the
   * interactions beneath them (tops until now) have a new span above them.
   */
  unowned: string[];
}

/**
 * What changes when `seeds` (spans stored by this batch, or spans with new log records)
 * change. `links` holds every stored span on the way up from each seed (a span whose parent is
 * absent from it is a top); `isNew` says which were stored by this batch. Pure.
 */
export function subtreeRoots(
  links: ReadonlyMap<string, SpanLink>,
  seeds: Iterable<string>,
  isNew: (spanId: string) => boolean,
): SubtreeRoots {
  const chains = new Map<string, Chain>();
  const roots = new Set<string>();
  const unowned: string[] = [];
  for (const seed of seeds) {
    const chain = chainOf(seed, links, chains, isNew);
    if (chain === null) continue;
    const root = chain.cycle ?? (chain.topAgent !== null && chain.agentUpOld ? chain.topAgent : chain.topGenAi);
    if (root !== null) roots.add(root);
    else unowned.push(seed);
  }
  // A root T (an agent) can sit beneath a root G of another seed: G's subtree covers T's.
  return { roots: [...roots].filter((root) => !hasRootAbove(root, links, roots)), unowned };
}

/** Walks up from `start` until a span already walked, a top or a cycle, then fills in the chains on the way down. */
function chainOf(
  start: string,
  links: ReadonlyMap<string, SpanLink>,
  chains: Map<string, Chain>,
  isNew: (spanId: string) => boolean,
): Chain | null {
  if (!links.has(start)) return null;
  const path: SpanLink[] = [];
  const onPath = new Map<string, number>();
  let above: Chain | null = null;
  for (let id: string | null = start; id !== null; ) {
    const known = chains.get(id);
    if (known !== undefined) {
      above = known;
      break;
    }
    const at = onPath.get(id);
    if (at !== undefined) {
      const cycle = path.slice(at).reduce((min, l) => (l.spanId < min ? l.spanId : min), id);
      above = { cycle, topGenAi: null, topAgent: null, agentUpOld: false, allOld: false };
      break;
    }
    const link = links.get(id);
    if (link === undefined) break;
    onPath.set(id, path.length);
    path.push(link);
    id = link.parentSpanId === link.spanId ? null : link.parentSpanId;
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const link = path[i] as SpanLink;
    above = above?.cycle != null ? above : extend(above, link, isNew(link.spanId));
    chains.set(link.spanId, above);
  }
  return above;
}

/** The chain of `link`, given the chain of its parent (null for a top). */
function extend(parent: Chain | null, link: SpanLink, isNew: boolean): Chain {
  const allOld = !isNew && (parent?.allOld ?? true);
  if (parent?.topAgent != null) return { ...parent, allOld };
  const isAgent = link.role === 'agent';
  return {
    cycle: null,
    topGenAi: parent?.topGenAi ?? (link.role !== 'none' ? link.spanId : null),
    topAgent: isAgent ? link.spanId : null,
    agentUpOld: isAgent && allOld,
    allOld,
  };
}

function hasRootAbove(root: string, links: ReadonlyMap<string, SpanLink>, roots: ReadonlySet<string>): boolean {
  const seen = new Set([root]);
  for (let id = links.get(root)?.parentSpanId ?? null; id !== null && !seen.has(id); id = links.get(id)?.parentSpanId ?? null) {
    if (roots.has(id)) return true;
    seen.add(id);
  }
  return false;
}

/** Every stored span on the way up from each seed, seeds included, per trace. */
export async function readAncestry(
  client: pg.ClientBase,
  projectId: number,
  seeds: SpansByTrace,
): Promise<Map<string, Map<string, SpanLink>>> {
  const [traceIds, spanIds] = pairs(seeds);
  const { rows } = await client.query<{ trace_id: string; span_id: string; parent_span_id: string | null; genai_role: SpanLink['role'] }>(
    `WITH RECURSIVE up (trace_id, span_id, parent_span_id, genai_role) AS (
       SELECT s.trace_id, s.span_id, s.parent_span_id, s.genai_role
       FROM unnest($2::text[], $3::text[]) AS seed (trace_id, span_id)
       CROSS JOIN LATERAL (
         SELECT * FROM spans WHERE project_id = $1 AND trace_id = seed.trace_id AND span_id = seed.span_id OFFSET 0
       ) AS s
       UNION
       SELECT p.trace_id, p.span_id, p.parent_span_id, p.genai_role
       FROM up CROSS JOIN LATERAL (
         SELECT * FROM spans WHERE project_id = $1 AND trace_id = up.trace_id AND span_id = up.parent_span_id OFFSET 0
       ) AS p
     )
     SELECT trace_id, span_id, parent_span_id, genai_role FROM up`,
    [projectId, traceIds, spanIds],
  );
  const byTrace = new Map<string, Map<string, SpanLink>>();
  for (const row of rows) {
    let links = byTrace.get(row.trace_id);
    if (links === undefined) byTrace.set(row.trace_id, (links = new Map()));
    links.set(row.span_id, { spanId: row.span_id, parentSpanId: row.parent_span_id, role: row.genai_role });
  }
  return byTrace;
}

/** Every stored span beneath each root (the roots included), by root. */
export async function readSubtreeSpanIds(
  client: pg.ClientBase,
  projectId: number,
  roots: SpansByTrace,
): Promise<{ root: string; trace_id: string; span_id: string }[]> {
  const [traceIds, rootIds] = pairs(roots);
  const { rows } = await client.query<{ root: string; trace_id: string; span_id: string }>(
    `WITH RECURSIVE down (root, trace_id, span_id) AS (
       SELECT r.root, r.trace_id, r.root FROM unnest($2::text[], $3::text[]) AS r (trace_id, root)
       UNION
       SELECT down.root, c.trace_id, c.span_id
       FROM down CROSS JOIN LATERAL (
         SELECT trace_id, span_id FROM spans WHERE project_id = $1 AND trace_id = down.trace_id AND parent_span_id = down.span_id OFFSET 0
       ) AS c
     )
     SELECT root, trace_id, span_id FROM down`,
    [projectId, traceIds, rootIds],
  );
  return rows;
}

/** Stored spans by id, with the given columns. */
export async function readSpans(client: pg.ClientBase, projectId: number, spans: SpansByTrace): Promise<SpanRow[]> {
  const [traceIds, spanIds] = pairs(spans);
  const { rows } = await client.query<SpanRow>(
    `SELECT ${SPAN_COLUMNS.replace(/(\w+)/g, 's.$1')}
     FROM unnest($2::text[], $3::text[]) AS k (trace_id, span_id)
     CROSS JOIN LATERAL (
       SELECT * FROM spans WHERE project_id = $1 AND trace_id = k.trace_id AND span_id = k.span_id OFFSET 0
     ) AS s`,
    [projectId, traceIds, spanIds],
  );
  return rows;
}

/** The log records naming the given spans. */
export async function readLogsOf(client: pg.ClientBase, projectId: number, spans: SpansByTrace): Promise<LogRow[]> {
  const [traceIds, spanIds] = pairs(spans);
  const { rows } = await client.query<LogRow>(
    `SELECT ${LOG_COLUMNS.replace(/(\w+)/g, 'l.$1')}, l.arrival
     FROM unnest($2::text[], $3::text[]) AS s (trace_id, span_id)
     CROSS JOIN LATERAL (
       SELECT * FROM log_records WHERE project_id = $1 AND trace_id = s.trace_id AND span_id = s.span_id OFFSET 0
     ) AS l`,
    [projectId, traceIds, spanIds],
  );
  return rows;
}

export function addSpan(byTrace: SpansByTrace, traceId: string, spanId: string): void {
  const set = byTrace.get(traceId);
  if (set === undefined) byTrace.set(traceId, new Set([spanId]));
  else set.add(spanId);
}

/** Parallel arrays (trace ids, span ids) for unnest. */
export function pairs(byTrace: SpansByTrace): [string[], string[]] {
  const traceIds: string[] = [];
  const spanIds: string[] = [];
  for (const [traceId, ids] of byTrace) {
    for (const id of ids) {
      traceIds.push(traceId);
      spanIds.push(id);
    }
  }
  return [traceIds, spanIds];
}
