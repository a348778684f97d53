// Timeliness: how fresh the knowledge behind the answer was. From the last update of the
// knowledge sources the interaction used (flywheel.knowledge.sources) where that is known,
// else from the age of the answer itself.
import type { DimensionScore } from './quality.ts';
import { round } from './text.ts';

const DAY_MS = 86_400_000;

/** Exponential decay: 1 when new, 0.5 after one half-life, 0.25 after two. */
export function freshness(ageMs: number, halfLifeDays: number): number {
  return 0.5 ** (Math.max(0, ageMs) / (halfLifeDays * DAY_MS));
}

/**
 * With known sources, the freshness of the stalest one at the time of the answer; otherwise the
 * freshness of the answer at scoring time (a re-score months later finds it stale: an old
 * answer is weaker training data). Needs no message content.
 */
export function assessTimeliness(
  knowledgeSources: readonly string[],
  sourceUpdatedAt: ReadonlyMap<string, number>,
  answeredAtMs: number,
  now: number,
  halfLifeDays: number,
): DimensionScore {
  const known = knowledgeSources.flatMap((id) => {
    const updatedAt = sourceUpdatedAt.get(id);
    return updatedAt === undefined ? [] : [{ id, ageDays: round((answeredAtMs - updatedAt) / DAY_MS) }];
  });
  if (known.length > 0) {
    const stalest = Math.max(...known.map((s) => s.ageDays));
    return {
      score: round(freshness(stalest * DAY_MS, halfLifeDays)),
      source: 'heuristic',
      details: {
        method: 'source_freshness',
        halfLifeDays,
        sources: known,
        unknownSources: knowledgeSources.filter((id) => !sourceUpdatedAt.has(id)),
      },
    };
  }
  const ageMs = now - answeredAtMs;
  return {
    score: round(freshness(ageMs, halfLifeDays)),
    source: 'heuristic',
    details: {
      method: 'response_age',
      ageDays: round(Math.max(0, ageMs) / DAY_MS),
      halfLifeDays,
      ...(knowledgeSources.length > 0 ? { unknownSources: [...knowledgeSources] } : {}),
    },
  };
}
