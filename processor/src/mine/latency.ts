// Where an interaction's time goes: LLM calls, tools, retrieval and the rest, from its spans;
// and per agent, which categories, tools and models take the time. Pure: spans in, figures out.
import { quantile, round4 } from './stats.ts';

export const LATENCY_CATEGORIES = ['llm', 'tool', 'retrieval', 'other'] as const;
export type LatencyCategory = (typeof LATENCY_CATEGORIES)[number];

/** What the decomposition needs of a span beneath the interaction span: its interval and kind. */
export interface TimedSpan {
  startMs: number;
  endMs: number;
  /** `gen_ai.operation.name`, or what a peer convention says instead (see categoryOf). */
  operation: string | null;
  /** `openinference.span.kind`, for OpenInference spans that carry no operation name. */
  spanKind: string | null;
  /** `gen_ai.tool.type`: `datastore` tools are retrieval. */
  toolType: string | null;
  toolName: string | null;
  model: string | null;
}

export interface InteractionTiming {
  id: string;
  agent: string | null;
  /** The interaction span's interval: everything is clipped to it. */
  startMs: number;
  endMs: number;
  spans: readonly TimedSpan[];
}

// Literal mapping tables: gen_ai.operation.name values (GenAI semconv, also what OpenLIT, the
// contrib openai instrumentation and Traceloop's LLM spans send), and OpenInference span kinds.
const OPERATION_CATEGORY: Readonly<Record<string, Exclude<LatencyCategory, 'other'>>> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  execute_tool: 'tool',
  embeddings: 'retrieval',
  retrieval: 'retrieval',
};
const SPAN_KIND_CATEGORY: Readonly<Record<string, Exclude<LatencyCategory, 'other'>>> = {
  LLM: 'llm',
  TOOL: 'tool',
  RETRIEVER: 'retrieval',
  EMBEDDING: 'retrieval',
  RERANKER: 'retrieval',
};

/**
 * The category a span's own time counts for, or null for a span that is none of them (an agent,
 * a workflow step, an HTTP call): its time is the interaction's "other" unless a categorized span
 * covers it. A tool of type `datastore` is retrieval (the semconv's "tool used for retrieval").
 */
export function categoryOf(span: Pick<TimedSpan, 'operation' | 'spanKind' | 'toolType'>): Exclude<LatencyCategory, 'other'> | null {
  const byOperation = span.operation === null ? undefined : OPERATION_CATEGORY[span.operation];
  const category = byOperation ?? (span.spanKind === null ? undefined : SPAN_KIND_CATEGORY[span.spanKind.toUpperCase()]);
  if (category === 'tool' && span.toolType === 'datastore') return 'retrieval';
  return category ?? null;
}

type Interval = readonly [number, number];

/** The intervals merged where they overlap or touch, sorted; empty ones dropped. */
export function unionOf(intervals: readonly Interval[]): [number, number][] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** The length of the union of some intervals: parallel spans count once. */
export function coveredMs(intervals: readonly Interval[]): number {
  return unionOf(intervals).reduce((sum, [a, b]) => sum + (b - a), 0);
}

export interface Decomposition {
  id: string;
  agent: string | null;
  totalMs: number;
  /** Sums to totalMs: each instant counts for one category (see decompose). */
  byCategory: Record<LatencyCategory, number>;
  /** Per tool name, the union of its calls' intervals (overlapping other categories is not removed). */
  byTool: Map<string, { calls: number; ms: number; callMs: number[] }>;
  /** Per model of the LLM calls, likewise. */
  byModel: Map<string, { calls: number; ms: number; callMs: number[] }>;
}

/**
 * Splits an interaction's duration into LLM, tool, retrieval and other time. Each category's
 * spans are merged first (their union), clipped to the interaction span, so parallel calls do not
 * double count. Where categories overlap each other (a tool that calls a model, an embedding
 * beside a chat call), the instant counts once, for the first of llm, retrieval, tool: the
 * innermost work is usually the model call. Other is the rest of the interaction span.
 */
export function decompose(timing: InteractionTiming): Decomposition {
  const totalMs = Math.max(0, timing.endMs - timing.startMs);
  const clip = (s: TimedSpan): Interval => [Math.max(s.startMs, timing.startMs), Math.min(s.endMs, timing.endMs)];
  const of: Record<Exclude<LatencyCategory, 'other'>, Interval[]> = { llm: [], tool: [], retrieval: [] };
  const byTool = new Map<string, { calls: number; ms: number; callMs: number[]; intervals: Interval[] }>();
  const byModel = new Map<string, { calls: number; ms: number; callMs: number[]; intervals: Interval[] }>();
  const tally = (map: typeof byTool, name: string, span: TimedSpan) => {
    const entry = map.get(name) ?? { calls: 0, ms: 0, callMs: [], intervals: [] };
    entry.calls += 1;
    entry.callMs.push(Math.max(0, span.endMs - span.startMs));
    entry.intervals.push(clip(span));
    map.set(name, entry);
  };
  for (const span of timing.spans) {
    const category = categoryOf(span);
    if (category === null) continue;
    of[category].push(clip(span));
    if (category === 'tool' || (category === 'retrieval' && span.toolName !== null)) tally(byTool, span.toolName ?? '(unnamed tool)', span);
    if (category === 'llm') tally(byModel, span.model ?? '(unknown model)', span);
  }
  const llm = coveredMs(of.llm);
  const llmOrRetrieval = coveredMs([...of.llm, ...of.retrieval]);
  const any = coveredMs([...of.llm, ...of.retrieval, ...of.tool]);
  const settle = (map: typeof byTool) =>
    new Map([...map].map(([name, e]) => [name, { calls: e.calls, ms: coveredMs(e.intervals), callMs: e.callMs }]));
  return {
    id: timing.id,
    agent: timing.agent,
    totalMs,
    byCategory: { llm, retrieval: llmOrRetrieval - llm, tool: any - llmOrRetrieval, other: totalMs - any },
    byTool: settle(byTool),
    byModel: settle(byModel),
  };
}

export interface CategoryFigures {
  totalMs: number;
  /** Of all the interactions' time (the sum of their durations); 0..1. */
  share: number | null;
  /** Per interaction, this category's milliseconds. */
  p50Ms: number | null;
  p95Ms: number | null;
  meanMs: number | null;
}

export interface NamedFigures {
  name: string;
  calls: number;
  /** Interactions that made at least one call. */
  interactions: number;
  totalMs: number;
  share: number | null;
  /** Per call. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface LatencyBreakdown {
  agent: string | null;
  interactions: number;
  totalMs: number;
  categories: Record<LatencyCategory, CategoryFigures>;
  /** Categories by total time, largest first: where to look first. */
  bottlenecks: LatencyCategory[];
  /** Largest total first. */
  tools: NamedFigures[];
  models: NamedFigures[];
}

const figure = (x: number) => (Number.isNaN(x) ? null : round4(x));

/** The bottlenecks of a set of decomposed interactions (one agent's, or any set). */
export function breakdown(agent: string | null, decompositions: readonly Decomposition[]): LatencyBreakdown {
  const totalMs = decompositions.reduce((sum, d) => sum + d.totalMs, 0);
  const share = (ms: number) => (totalMs === 0 ? null : round4(ms / totalMs));
  const categories = Object.fromEntries(
    LATENCY_CATEGORIES.map((c) => {
      const values = decompositions.map((d) => d.byCategory[c]);
      const sum = values.reduce((a, b) => a + b, 0);
      const figures: CategoryFigures = {
        totalMs: round4(sum),
        share: share(sum),
        p50Ms: figure(quantile(values, 0.5)),
        p95Ms: figure(quantile(values, 0.95)),
        meanMs: values.length === 0 ? null : round4(sum / values.length),
      };
      return [c, figures];
    }),
  ) as Record<LatencyCategory, CategoryFigures>;
  const named = (pick: (d: Decomposition) => Decomposition['byTool']): NamedFigures[] => {
    const all = new Map<string, { calls: number; interactions: number; ms: number; callMs: number[] }>();
    for (const d of decompositions) {
      for (const [name, e] of pick(d)) {
        const entry = all.get(name) ?? { calls: 0, interactions: 0, ms: 0, callMs: [] };
        entry.calls += e.calls;
        entry.interactions += 1;
        entry.ms += e.ms;
        entry.callMs.push(...e.callMs);
        all.set(name, entry);
      }
    }
    return [...all]
      .map(([name, e]) => ({
        name,
        calls: e.calls,
        interactions: e.interactions,
        totalMs: round4(e.ms),
        share: share(e.ms),
        p50Ms: figure(quantile(e.callMs, 0.5)),
        p95Ms: figure(quantile(e.callMs, 0.95)),
      }))
      .sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
  };
  return {
    agent,
    interactions: decompositions.length,
    totalMs: round4(totalMs),
    categories,
    bottlenecks: [...LATENCY_CATEGORIES].sort((a, b) => categories[b].totalMs - categories[a].totalMs),
    tools: named((d) => d.byTool),
    models: named((d) => d.byModel),
  };
}

/** One breakdown per agent, agents in name order (null last). */
export function breakdownByAgent(timings: readonly InteractionTiming[]): LatencyBreakdown[] {
  const groups = new Map<string | null, Decomposition[]>();
  for (const timing of timings) {
    const list = groups.get(timing.agent) ?? [];
    list.push(decompose(timing));
    groups.set(timing.agent, list);
  }
  return [...groups]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([agent, list]) => breakdown(agent, list));
}
