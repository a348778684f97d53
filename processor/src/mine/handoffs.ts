// The hand-off graph of a root agent: which agents ran beneath it (an interaction's sub-agents,
// from nested invoke_agent spans) and how the runs through each hand-off and each path ended.
// A path is the root agent followed by its sub-agents in start order; an edge is one hand-off,
// parent -> sub-agent. Pure: groups of interactions that took the same hops in, graph out.
import { round4, wilson } from './stats.ts';

/** Interactions of a root agent that took the same hops (parent, sub-agent), in start order. */
export interface HopGroup {
  hops: readonly [parent: string | null, agent: string][];
  n: number;
  success: number;
  failure: number;
}

export interface Rated {
  n: number;
  successRate: number;
  successCi: [number, number];
  failureRate: number;
}

function rated(n: number, success: number, failure: number): Rated {
  const [lo, hi] = wilson(success, n);
  return { n, successRate: round4(success / n), successCi: [round4(lo), round4(hi)], failureRate: round4(failure / n) };
}

export interface HandoffGraph {
  agent: string;
  interactions: number;
  /** Interactions with at least one hand-off. */
  withHandoffs: number;
  edges: ({ from: string; to: string } & Rated)[];
  paths: ({ path: string[] } & Rated)[];
}

/** The graph of one root agent; an unnamed parent is the root agent itself. */
export function handoffGraph(agent: string, groups: readonly HopGroup[]): HandoffGraph {
  const edges = new Map<string, { from: string; to: string; n: number; success: number; failure: number }>();
  const paths = new Map<string, { path: string[]; n: number; success: number; failure: number }>();
  let interactions = 0;
  let withHandoffs = 0;
  for (const g of groups) {
    interactions += g.n;
    if (g.hops.length > 0) withHandoffs += g.n;
    const path = [agent, ...g.hops.map(([, to]) => to)];
    const key = JSON.stringify(path);
    const p = paths.get(key) ?? { path, n: 0, success: 0, failure: 0 };
    p.n += g.n;
    p.success += g.success;
    p.failure += g.failure;
    paths.set(key, p);
    // An interaction counts once per distinct hand-off it took.
    for (const [from, to] of new Map(g.hops.map(([parent, to]) => [`${parent ?? agent}\n${to}`, [parent ?? agent, to] as const])).values()) {
      const k = `${from}\n${to}`;
      const e = edges.get(k) ?? { from, to, n: 0, success: 0, failure: 0 };
      e.n += g.n;
      e.success += g.success;
      e.failure += g.failure;
      edges.set(k, e);
    }
  }
  const order = (a: { n: number; key: string }, b: { n: number; key: string }) => b.n - a.n || (a.key < b.key ? -1 : 1);
  return {
    agent,
    interactions,
    withHandoffs,
    edges: [...edges.values()]
      .map((e) => ({ ...e, key: `${e.from}\n${e.to}` }))
      .sort(order)
      .map(({ from, to, n, success, failure }) => ({ from, to, ...rated(n, success, failure) })),
    paths: [...paths.values()]
      .map((p) => ({ ...p, key: JSON.stringify(p.path) }))
      .sort(order)
      .map(({ path, n, success, failure }) => ({ path, ...rated(n, success, failure) })),
  };
}
