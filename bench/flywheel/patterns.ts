// How well mining found the planted failure modes: each open failure pattern of GET
// /api/patterns is matched to the interactions it describes (their facts and topic, as mining
// derived them), and attributed to the planted mode most of those interactions came from.
import type pg from 'pg';
import type { TurnRecord } from './run.ts';
import { PLANTED_MODES, type PlantedMode } from './world.ts';

export interface PatternFinding {
  label: string;
  segment: Record<string, string>;
  n: number;
  lift: number;
  /** The planted mode or world cause that makes up at least half of its interactions; null: none does. */
  cause: PlantedMode | 'unknown-fact' | 'changed-fact' | null;
}

export interface PlantedDetection {
  patterns: PatternFinding[];
  found: PlantedMode[];
  missed: PlantedMode[];
  recall: number;
  /** Share of the failure patterns attributed to a planted mode. */
  precision: number;
  /** Share of the failure patterns attributed to a planted mode or to a failure the world itself causes (a fact not known yet, a fact that changed). */
  explained: number;
  /** How often each mode occurred in the user traffic of the run. */
  rates: Record<PlantedMode, number>;
}

/** The planted modes among the agent's open failure patterns: a pattern stands for the cause of most of the wrong answers it covers. */
export async function detectPlanted(url: string, pool: pg.Pool, agent: string, turns: readonly TurnRecord[]): Promise<PlantedDetection> {
  const response = await fetch(`${url}/api/patterns?agent=${encodeURIComponent(agent)}&kind=failure&status=open&limit=1000`);
  if (!response.ok) throw new Error(`GET /api/patterns answered ${response.status}`);
  const { patterns } = (await response.json()) as { patterns: { label: string; segment: Record<string, string>; n: number; lift: number }[] };
  const { rows } = await pool.query<{ interaction_id: string; facts: string; cluster_id: string | null }>(
    `SELECT f.interaction_id, f.facts, t.cluster_id FROM mine_facts f
     LEFT JOIN interaction_topics t ON t.project_id = f.project_id AND t.interaction_id = f.interaction_id
     WHERE f.agent = $1`,
    [agent],
  );
  // What made each wrong answer wrong; the right ones have no cause.
  const causeOf = new Map(turns.filter((t) => t.verdict !== 'correct').map((t) => [t.interactionId, t.mode ?? t.cause]));
  const facts = rows.map((r) => ({ id: r.interaction_id, facts: new Set(r.facts.split('\u001e')), topic: r.cluster_id }));
  const findings = patterns.map((p): PatternFinding => {
    const entries = Object.entries(p.segment);
    const matched = facts.filter((f) => causeOf.has(f.id) && entries.every(([field, value]) => (field === 'topic' ? f.topic === value : f.facts.has(`${field}\u001f${value}`))));
    const counts = new Map<NonNullable<PatternFinding['cause']>, number>();
    for (const m of matched) {
      const cause = causeOf.get(m.id);
      if (cause) counts.set(cause, (counts.get(cause) ?? 0) + 1);
    }
    const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { label: p.label, segment: p.segment, n: p.n, lift: p.lift, cause: top !== undefined && matched.length > 0 && top[1] / matched.length >= 0.5 ? top[0] : null };
  });
  const planted = (f: PatternFinding) => (PLANTED_MODES as readonly string[]).includes(f.cause ?? '');
  const found = PLANTED_MODES.filter((m) => findings.some((f) => f.cause === m));
  const rates = Object.fromEntries(PLANTED_MODES.map((m) => [m, turns.length === 0 ? 0 : turns.filter((t) => t.mode === m).length / turns.length])) as Record<PlantedMode, number>;
  return {
    patterns: findings,
    found,
    missed: PLANTED_MODES.filter((m) => !found.includes(m)),
    recall: found.length / PLANTED_MODES.length,
    precision: findings.length === 0 ? 0 : findings.filter(planted).length / findings.length,
    explained: findings.length === 0 ? 0 : findings.filter((f) => f.cause !== null).length / findings.length,
    rates,
  };
}
