// Pattern mining: which segments of an agent's interactions fail or succeed more often than the
// agent does as a whole. A segment is one fact of an interaction (`tool.failed=search`) or two
// (`intent=refund` and `model=gpt-4o`). Every segment with enough support is tested against the
// rest of the agent's interactions (two-proportion z-test); the p-values of all tests of a pass
// are corrected together (Benjamini–Hochberg), and a segment is a pattern only when its q-value
// is within the false discovery rate and its rate is at least `minLift` times the baseline. A
// two-fact segment must also beat each of its one-fact parents on its own (a productive pair),
// so a strong fact does not drag every pair it is part of into the report.
// Pure: facts in (streamed into a Tally), patterns out.
import { createHash } from 'node:crypto';
import { benjaminiHochberg, round4, twoProportionP, wilson } from './stats.ts';

/** What an interaction is, as mining reads it. Arrays may be empty; nulls are left out. */
export interface MineFields {
  intent: string | null;
  topic: string | null;
  model: string | null;
  promptVersion: string | null;
  serviceVersion: string | null;
  tools: readonly string[];
  failedTools: readonly string[];
  knowledgeSources: readonly string[];
  errorType: string | null;
  finishReasons: readonly string[];
  signals: readonly string[];
  subAgents: readonly string[];
}

/** The segment field names, as patterns show them (`segment: { field: value }`). */
export const FACT_FIELDS = {
  intent: 'intent',
  topic: 'topic',
  model: 'model',
  promptVersion: 'prompt_version',
  serviceVersion: 'service_version',
  tools: 'tool',
  failedTools: 'tool_failed',
  knowledgeSources: 'knowledge_source',
  errorType: 'error.type',
  finishReasons: 'finish_reason',
  signals: 'signal',
  subAgents: 'sub_agent',
} as const satisfies Record<keyof MineFields, string>;

const SEPARATOR = '\u001f';

/** The facts of an interaction: `field<US>value` (US: the unit separator, U+001F), distinct. */
export function factsOf(fields: MineFields): string[] {
  const facts = new Set<string>();
  for (const [key, field] of Object.entries(FACT_FIELDS) as [keyof MineFields, string][]) {
    const value = fields[key];
    const values = Array.isArray(value) ? value : value === null ? [] : [value as string];
    for (const v of values) if (v !== '') facts.add(`${field}${SEPARATOR}${v}`);
  }
  return [...facts];
}

export type Outcome = 'success' | 'failure' | 'neither';

/** Success above `successMin`, failure below `failureMax`, by satisfaction (0..1). */
export function outcomeOf(satisfaction: number, successMin: number, failureMax: number): Outcome {
  if (satisfaction > successMin) return 'success';
  if (satisfaction < failureMax) return 'failure';
  return 'neither';
}

interface Count {
  n: number;
  success: number;
  failure: number;
  /** The first EXAMPLES ids of each outcome, in the order added. */
  successExamples: string[];
  failureExamples: string[];
}

const EXAMPLES = 5;
/** Pairs are keyed by two fact numbers; an agent has fewer distinct facts than this. */
const PAIR_BASE = 2 ** 24;
/** Beyond this many distinct facts an agent's further facts are counted alone, not in pairs. */
const MAX_PAIRED_FACTS = PAIR_BASE - 1;

function emptyCount(): Count {
  return { n: 0, success: 0, failure: 0, successExamples: [], failureExamples: [] };
}

/** Interactions that share one set of facts: how many, their outcomes, the first examples of each. */
export interface Group {
  n: number;
  success: number;
  failure: number;
  successExamples: readonly string[];
  failureExamples: readonly string[];
}

function addGroup(count: Count, group: Group): void {
  count.n += group.n;
  count.success += group.success;
  count.failure += group.failure;
  for (const id of group.successExamples) if (count.successExamples.length < EXAMPLES) count.successExamples.push(id);
  for (const id of group.failureExamples) if (count.failureExamples.length < EXAMPLES) count.failureExamples.push(id);
}

/** One interaction as a group of one. */
export function groupOf(id: string, outcome: Outcome): Group {
  return {
    n: 1,
    success: outcome === 'success' ? 1 : 0,
    failure: outcome === 'failure' ? 1 : 0,
    successExamples: outcome === 'success' ? [id] : [],
    failureExamples: outcome === 'failure' ? [id] : [],
  };
}

/** Counts of one agent's interactions per segment, fed one interaction at a time. */
export class Tally {
  readonly total = emptyCount();
  private readonly factIds = new Map<string, number>();
  private readonly facts: string[] = [];
  private readonly singles = new Map<number, Count>();
  private readonly pairs = new Map<number, Count>();

  /** Adds one interaction. */
  add(id: string, outcome: Outcome, facts: readonly string[]): void {
    this.addGroup(facts, groupOf(id, outcome));
  }

  /** Adds interactions that share the same facts at once (the store groups them in SQL). */
  addGroup(facts: readonly string[], group: Group): void {
    addGroup(this.total, group);
    const ids: number[] = [];
    for (const fact of facts) {
      let n = this.factIds.get(fact);
      if (n === undefined) {
        n = this.facts.length;
        this.factIds.set(fact, n);
        this.facts.push(fact);
      }
      ids.push(n);
      let single = this.singles.get(n);
      if (single === undefined) this.singles.set(n, (single = emptyCount()));
      addGroup(single, group);
    }
    ids.sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i] as number;
      if (a >= MAX_PAIRED_FACTS) continue;
      for (let j = i + 1; j < ids.length; j++) {
        const b = ids[j] as number;
        if (b >= MAX_PAIRED_FACTS) continue;
        const key = a * PAIR_BASE + b;
        let pair = this.pairs.get(key);
        if (pair === undefined) this.pairs.set(key, (pair = emptyCount()));
        addGroup(pair, group);
      }
    }
  }

  /** The one-fact counts of one field: each value with its interactions, successes and failures. */
  countsOf(field: string): { value: string; n: number; success: number; failure: number }[] {
    const prefix = `${field}${SEPARATOR}`;
    const out: { value: string; n: number; success: number; failure: number }[] = [];
    for (const [n, count] of this.singles) {
      const fact = this.facts[n] as string;
      if (fact.startsWith(prefix)) out.push({ value: fact.slice(prefix.length), n: count.n, success: count.success, failure: count.failure });
    }
    return out;
  }

  /** Every segment with its count: one fact, or two (pairs know their parents). */
  *segments(): Generator<{ facts: string[]; count: Count; parents: Count[] }> {
    for (const [n, count] of this.singles) yield { facts: [this.facts[n] as string], count, parents: [] };
    for (const [key, count] of this.pairs) {
      const a = Math.floor(key / PAIR_BASE);
      const b = key % PAIR_BASE;
      yield { facts: [this.facts[a] as string, this.facts[b] as string], count, parents: [this.singles.get(a) as Count, this.singles.get(b) as Count] };
    }
  }
}

export interface PatternOptions {
  minSupport: number;
  fdr: number;
  minLift: number;
}

export type PatternKind = 'failure' | 'success';

export interface MinedPattern {
  /** Stable: the same agent, kind and segment always give the same id. */
  id: string;
  kind: PatternKind;
  segment: Record<string, string>;
  /** The segment's facts in canonical order, `field=value` joined by ' & '. */
  label: string;
  n: number;
  /** The segment's failure (or success) rate. */
  rate: number;
  /** The agent's rate over all its interactions. */
  baseline: number;
  lift: number;
  ci: [number, number];
  p: number;
  q: number;
  examples: string[];
}

/** The id of a pattern: the first 16 hex digits of sha256 of agent, kind and label. */
export function patternId(agent: string, kind: PatternKind, label: string): string {
  return createHash('sha256').update(`${agent}\n${kind}\n${label}`).digest('hex').slice(0, 16);
}

function segmentOf(facts: readonly string[]): { segment: Record<string, string>; label: string } {
  const pairs = facts.map((f) => f.split(SEPARATOR) as [string, string]).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
  const segment: Record<string, string> = {};
  for (const [field, value] of pairs) segment[field] = value;
  return { segment, label: pairs.map(([field, value]) => `${field}=${value}`).join(' & ') };
}

interface Test {
  facts: string[];
  kind: PatternKind;
  k: number;
  n: number;
  p: number;
  examples: string[];
}

/**
 * The patterns of one agent's tally. Segments covering every interaction, or too few, are not
 * tested; a segment is tested for the kind whose rate it raises. A two-fact segment is tested
 * only when its rate is above both parents' and then must differ from each parent's remainder
 * at the same corrected level, or it is dropped as no more than its parts.
 */
export function minePatterns(agent: string, tally: Tally, options: PatternOptions): MinedPattern[] {
  const total = tally.total;
  if (total.n === 0) return [];
  const tests: Test[] = [];
  const parentTests: { test: number; parents: { k: number; n: number }[] }[] = [];
  // Every supported segment is a hypothesis of the family, both kinds, whether or not its rate
  // looks high: leaving the dull ones out would make the correction too lenient.
  let untested = 0;
  for (const { facts, count, parents } of tally.segments()) {
    if (count.n < options.minSupport || count.n >= total.n) continue;
    for (const kind of ['failure', 'success'] as const) {
      const k = kind === 'failure' ? count.failure : count.success;
      const base = kind === 'failure' ? total.failure : total.success;
      const parentCounts = parents.map((p) => ({ k: kind === 'failure' ? p.failure : p.success, n: p.n }));
      if (k / count.n <= base / total.n || parentCounts.some((p) => k / count.n < (options.minLift * p.k) / p.n)) {
        untested++;
        continue;
      }
      tests.push({
        facts, kind, k, n: count.n, p: twoProportionP(k, count.n, base - k, total.n - count.n),
        examples: kind === 'failure' ? count.failureExamples : count.successExamples,
      });
      if (parentCounts.length > 0) parentTests.push({ test: tests.length - 1, parents: parentCounts });
    }
  }
  // The parent comparisons are tests too: they join the same correction.
  const extra = parentTests.flatMap(({ test, parents }) => {
    const t = tests[test] as Test;
    return parents.map((p) => twoProportionP(t.k, t.n, p.k - t.k, p.n - t.n));
  });
  const q = benjaminiHochberg([...tests.map((t) => t.p), ...extra, ...new Array<number>(untested).fill(1)]);
  const parentQ = new Map<number, number>();
  let at = tests.length;
  for (const { test, parents } of parentTests) {
    const worst = Math.max(...parents.map((_, i) => q[at + i] as number));
    parentQ.set(test, worst);
    at += parents.length;
  }
  const patterns: MinedPattern[] = [];
  tests.forEach((t, i) => {
    const qi = q[i] as number;
    if (qi > options.fdr) return;
    if ((parentQ.get(i) ?? 0) > options.fdr) return;
    const rate = t.k / t.n;
    const baseline = (t.kind === 'failure' ? total.failure : total.success) / total.n;
    const lift = baseline === 0 ? Number.POSITIVE_INFINITY : rate / baseline;
    if (lift < options.minLift) return;
    const { segment, label } = segmentOf(t.facts);
    const [lo, hi] = wilson(t.k, t.n);
    patterns.push({
      id: patternId(agent, t.kind, label),
      kind: t.kind,
      segment,
      label,
      n: t.n,
      rate: round4(rate),
      baseline: round4(baseline),
      lift: Number.isFinite(lift) ? round4(lift) : 1_000_000,
      ci: [round4(lo), round4(hi)],
      p: t.p,
      q: qi,
      examples: t.examples,
    });
  });
  return withoutSubsumed(patterns, total, options).sort((a, b) => a.q - b.q || b.lift - a.lift || (a.label < b.label ? -1 : 1));
}

/**
 * Drops a one-fact pattern that a two-fact pattern of the same kind explains: once the pair's
 * interactions are taken out of it, the rest of the fact is no longer significantly above the
 * baseline at the same lift (`intent=refund` fails often only because `intent=refund & model=small`
 * does). Judged with the uncorrected p-value against the stricter bar of the FDR itself.
 */
function withoutSubsumed(patterns: MinedPattern[], total: Count, options: PatternOptions): MinedPattern[] {
  const pairs = patterns.filter((p) => Object.keys(p.segment).length === 2);
  return patterns.filter((single) => {
    if (Object.keys(single.segment).length !== 1) return true;
    const [[field, value]] = Object.entries(single.segment) as [[string, string]];
    const kSingle = Math.round(single.rate * single.n);
    const base = single.kind === 'failure' ? total.failure : total.success;
    return pairs
      .filter((pair) => pair.kind === single.kind && pair.segment[field] === value)
      .every((pair) => {
        const k = kSingle - Math.round(pair.rate * pair.n);
        const n = single.n - pair.n;
        if (n < options.minSupport) return false;
        const lift = k / n / (base / total.n);
        return lift >= options.minLift && twoProportionP(k, n, base - k, total.n - n) <= options.fdr;
      });
  });
}
