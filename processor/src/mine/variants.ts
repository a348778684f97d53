// Variant comparison and impact: success rate, satisfaction, accuracy and latency per value of a
// prompt version, model or service version, each against a reference variant with a significance
// test; and the agent's quality and latency in equal windows before and after each value first
// appeared. Pure: aggregates (counted in SQL by store/mine/variants.ts) in, figures out.
import { mean, type Moments, round4, twoProportionP, welchP, wilson } from './stats.ts';

export const VARIANT_FIELDS = ['prompt_version', 'model', 'service_version'] as const;
export type VariantField = (typeof VARIANT_FIELDS)[number];

/** A difference is called when its two-sided p-value is below this. */
export const SIGNIFICANCE = 0.05;

/** The default length of the impact windows before and after a variant first appeared, in days. */
export const DEFAULT_IMPACT_WINDOW_DAYS = 7;

/** What SQL counts of a group of interactions (and their scores, where scored). */
export interface GroupAggregates {
  interactions: number;
  scored: number;
  /** Scored interactions with satisfaction above the success threshold (Outcomes, mine/report.ts). */
  successes: number;
  satisfaction: Moments;
  accuracy: Moments;
  /** interactions.response_time_ms of every interaction of the group, scored or not. */
  latency: Moments;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface VariantAggregates extends GroupAggregates {
  value: string;
  firstSeen: Date;
  lastSeen: Date;
}

export interface GroupFigures {
  interactions: number;
  scored: number;
  successRate: number | null;
  /** Wilson 95% interval of the success rate; null with nothing scored. */
  successRateCi: [number, number] | null;
  satisfaction: number | null;
  accuracy: number | null;
  latency: { p50Ms: number | null; p95Ms: number | null; meanMs: number | null };
}

export const COMPARED_METRICS = ['successRate', 'satisfaction', 'accuracy', 'latencyMs'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** One metric of a group against another's. */
export interface Comparison {
  value: number | null;
  against: number | null;
  /** value - against. */
  difference: number | null;
  /** Two-sided: two-proportion z-test for the success rate, Welch's t-test for means. */
  p: number;
  /** 1 - p. */
  confidence: number;
  /** The label of the better side when p < SIGNIFICANCE (higher is better, but lower latency), else null. */
  better: string | null;
  verdict: string;
}

const r = (x: number | null) => (x === null ? null : round4(x));

export function groupFigures(g: GroupAggregates): GroupFigures {
  const ci = g.scored === 0 ? null : wilson(g.successes, g.scored);
  return {
    interactions: g.interactions,
    scored: g.scored,
    successRate: g.scored === 0 ? null : round4(g.successes / g.scored),
    successRateCi: ci === null ? null : [round4(ci[0]), round4(ci[1])],
    satisfaction: r(mean(g.satisfaction)),
    accuracy: r(mean(g.accuracy)),
    latency: { p50Ms: r(g.latencyP50Ms), p95Ms: r(g.latencyP95Ms), meanMs: r(mean(g.latency)) },
  };
}

function comparison(value: number | null, against: number | null, p: number, higherIsBetter: boolean, label: string, againstLabel: string): Comparison {
  const known = value !== null && against !== null;
  const significant = known && p < SIGNIFICANCE && value !== against;
  const better = !significant ? null : (value > against) === higherIsBetter ? label : againstLabel;
  return {
    value: r(value),
    against: r(against),
    difference: known ? round4(value - against) : null,
    p: round4(p),
    confidence: round4(1 - p),
    better,
    verdict: better === null ? `not significant (p = ${round4(p)})` : `${better} is better (confidence ${round4(1 - p)})`,
  };
}

/** Each metric of `a` (labelled `label`) against `b`, with who is better and how sure. */
export function compareGroups(a: GroupAggregates, b: GroupAggregates, label: string, againstLabel: string): Record<ComparedMetric, Comparison> {
  const rate = (g: GroupAggregates) => (g.scored === 0 ? null : g.successes / g.scored);
  return {
    successRate: comparison(rate(a), rate(b), twoProportionP(a.successes, a.scored, b.successes, b.scored), true, label, againstLabel),
    satisfaction: comparison(mean(a.satisfaction), mean(b.satisfaction), welchP(a.satisfaction, b.satisfaction), true, label, againstLabel),
    accuracy: comparison(mean(a.accuracy), mean(b.accuracy), welchP(a.accuracy, b.accuracy), true, label, againstLabel),
    latencyMs: comparison(mean(a.latency), mean(b.latency), welchP(a.latency, b.latency), false, label, againstLabel),
  };
}

/**
 * The reference variant: the best supported (most scored interactions), ties going to the one
 * that appeared last, then to the smaller value. Null for no variants.
 */
export function referenceOf(variants: readonly VariantAggregates[]): VariantAggregates | null {
  return (
    [...variants].sort(
      (a, b) => b.scored - a.scored || b.interactions - a.interactions || b.firstSeen.getTime() - a.firstSeen.getTime() || a.value.localeCompare(b.value),
    )[0] ?? null
  );
}

export interface VariantFigures extends GroupFigures {
  value: string;
  firstSeen: string;
  lastSeen: string;
  /** Null for the reference itself. */
  vsReference: Record<ComparedMetric, Comparison> | null;
}

export interface VariantComparison {
  reference: string | null;
  /** Oldest first. */
  variants: VariantFigures[];
}

/** Every variant's figures, and each against the reference. */
export function compareVariants(variants: readonly VariantAggregates[]): VariantComparison {
  const reference = referenceOf(variants);
  return {
    reference: reference?.value ?? null,
    variants: [...variants]
      .sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime() || a.value.localeCompare(b.value))
      .map((v) => ({
        value: v.value,
        firstSeen: v.firstSeen.toISOString(),
        lastSeen: v.lastSeen.toISOString(),
        ...groupFigures(v),
        vsReference: reference === null || v === reference ? null : compareGroups(v, reference, v.value, reference.value),
      })),
  };
}

/** The agent's interactions in the window before and the window after a variant first appeared. */
export interface ImpactAggregates {
  value: string;
  firstSeen: Date;
  before: GroupAggregates;
  after: GroupAggregates;
}

export interface ImpactFigures {
  value: string;
  firstSeen: string;
  before: GroupFigures & { since: string; until: string };
  after: GroupFigures & { since: string; until: string };
  /** After against before: `better` is 'after', 'before' or null. */
  change: Record<ComparedMetric, Comparison>;
}

/** Impact of each variant, in order of first appearance. */
export function impactOf(impacts: readonly ImpactAggregates[], windowMs: number): ImpactFigures[] {
  return [...impacts]
    .sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime() || a.value.localeCompare(b.value))
    .map((i) => {
      const at = i.firstSeen.getTime();
      return {
        value: i.value,
        firstSeen: i.firstSeen.toISOString(),
        before: { since: new Date(at - windowMs).toISOString(), until: i.firstSeen.toISOString(), ...groupFigures(i.before) },
        after: { since: i.firstSeen.toISOString(), until: new Date(at + windowMs).toISOString(), ...groupFigures(i.after) },
        change: compareGroups(i.after, i.before, 'after', 'before'),
      };
    });
}
