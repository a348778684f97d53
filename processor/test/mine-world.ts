// A generated agent history for mining tests and bench:mine: seeded, with failure and success
// modes planted at known rates among independent noise facts.
import type { MineFields } from '../src/mine/patterns.ts';
import { mulberry32 } from '../src/mine/stats.ts';

/** The seeded generator of the processor (mulberry32), uniform in [0, 1). */
export const rng = mulberry32;

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

export interface Planted {
  /** The planted segment, as a pattern shows it. */
  segment: Record<string, string>;
  kind: 'failure' | 'success';
}

export interface WorldInteraction {
  id: string;
  satisfaction: number;
  fields: MineFields;
}

export interface WorldOptions {
  seed: number;
  n: number;
  /** false: no planted modes, every fact independent of the outcome. */
  planted: boolean;
}

/** The planted modes of a world with `planted: true`. */
export const PLANTED: readonly Planted[] = [
  { segment: { tool_failed: 'search' }, kind: 'failure' },
  { segment: { intent: 'refund', model: 'small-model' }, kind: 'failure' },
  { segment: { knowledge_source: 'kb://stale-prices' }, kind: 'failure' },
  { segment: { prompt_version: 'v3' }, kind: 'success' },
];

const INTENTS = ['order_status', 'refund', 'shipping', 'billing', 'account', 'product_info'];
const MODELS = ['small-model', 'large-model'];
const PROMPTS = ['v1', 'v2', 'v3'];
const TOOLS = ['search', 'lookup_order', 'send_email', 'calculator'];
const SOURCES = ['kb://faq', 'kb://policies', 'kb://stale-prices', 'kb://catalog'];

/** Interactions whose satisfaction depends only on the planted modes (and noise). */
export function* world(options: WorldOptions): Generator<WorldInteraction> {
  const random = rng(options.seed);
  for (let i = 0; i < options.n; i++) {
    const intent = pick(random, INTENTS);
    const model = pick(random, MODELS);
    const promptVersion = pick(random, PROMPTS);
    const tools = TOOLS.filter(() => random() < 0.3);
    const failedTools = tools.filter((t) => random() < (t === 'search' ? 0.15 : 0.05));
    const knowledgeSources = SOURCES.filter(() => random() < 0.25);
    let pFailure = 0.1;
    let pSuccess = 0.5;
    if (options.planted) {
      if (failedTools.includes('search')) pFailure = Math.max(pFailure, 0.6);
      if (intent === 'refund' && model === 'small-model') pFailure = Math.max(pFailure, 0.5);
      if (knowledgeSources.includes('kb://stale-prices')) pFailure = Math.max(pFailure, 0.4);
      if (promptVersion === 'v3' && pFailure === 0.1) pSuccess = 0.85;
    }
    const u = random();
    const satisfaction = u < pFailure ? 0.2 : u < pFailure + (1 - pFailure) * pSuccess ? 0.9 : 0.6;
    yield {
      id: `i${i}`,
      satisfaction,
      fields: {
        intent, topic: null, model, promptVersion, serviceVersion: '1.0.0', tools, failedTools, knowledgeSources,
        errorType: null, finishReasons: ['stop'], signals: [], subAgents: [],
      },
    };
  }
}

/** Recall and precision of mined patterns against the planted modes: a pattern finds a mode when it has the mode's segment exactly. */
export function scorePlanted(patterns: readonly { kind: string; segment: Record<string, string> }[], planted: readonly Planted[]): { recall: number; precision: number; found: number; reported: number } {
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  const found = planted.filter((m) => patterns.some((p) => p.kind === m.kind && same(p.segment, m.segment))).length;
  const right = patterns.filter((p) => planted.some((m) => p.kind === m.kind && same(p.segment, m.segment))).length;
  return { recall: found / planted.length, precision: patterns.length === 0 ? 1 : right / patterns.length, found, reported: patterns.length };
}
