// The training gate and the feedback loop's outcome (README, "Quality assessment"):
// eligible for training only over every threshold; satisfaction above 0.7
// reinforces, anything else marks the failing dimensions as improvement areas.
import { type Dimension, type DimensionScore, GATED_DIMENSIONS, type GateResult, type Thresholds } from './quality.ts';

/** Satisfaction above this reinforces the interaction (README, "Quality assessment"). */
export const REINFORCE_ABOVE = 0.7;

export function applyGate(dimensions: Record<Dimension, DimensionScore>, thresholds: Thresholds): GateResult {
  const reasons: string[] = [];
  const failed: Dimension[] = [];
  for (const dimension of GATED_DIMENSIONS) {
    const result = dimensions[dimension];
    if (result.score === null) {
      reasons.push(`${dimension} not assessed (${result.missing})`);
    } else if (result.score < thresholds[dimension]) {
      reasons.push(`${dimension} ${result.score} < ${thresholds[dimension]}`);
      failed.push(dimension);
    }
  }
  const satisfaction = dimensions.satisfaction.score;
  const reinforce = satisfaction !== null && satisfaction > REINFORCE_ABOVE;
  return {
    eligible: reasons.length === 0,
    reason: reasons.length === 0 ? null : reasons.join('; '),
    outcome: reinforce ? 'reinforce' : 'improve',
    improvementAreas: reinforce ? [] : [...failed, 'satisfaction'],
  };
}
