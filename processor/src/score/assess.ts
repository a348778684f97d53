// assessQuality(): the score stage's pure core. One interaction, its feedback, its neighbours in
// the conversation and an optional judge verdict in; five dimension scores, the implicit
// signals, the gate result and when to look again out. No I/O, no clock (`now` is given).
import { assessAccuracy } from './accuracy.ts';
import { assessCompleteness } from './completeness.ts';
import { applyGate } from './gate.ts';
import { detectSignals } from './implicit.ts';
import {
  type Assessment,
  type AssessmentInput,
  type AssessmentOptions,
  type Dimension,
  DIMENSIONS,
  type DimensionScore,
  startMs,
} from './quality.ts';
import { assessRelevance } from './relevance.ts';
import { assessSatisfaction } from './satisfaction.ts';
import { answerText, lastUserText } from './text.ts';
import { assessTimeliness } from './timeliness.ts';

export function assessQuality(input: AssessmentInput, options: AssessmentOptions): Assessment {
  const { interaction, feedback, verdict } = input;
  const question = lastUserText(interaction.userInput);
  const answer = answerText(interaction.response);
  const { signals, recheckAt } = detectSignals(interaction, input.previous, input.next, options);
  const dimensions: Record<Dimension, DimensionScore> = {
    accuracy: assessAccuracy(answer, interaction.expectedOutput, feedback, verdict),
    completeness: assessCompleteness(interaction, question, answer, verdict),
    relevance: assessRelevance(question, answer, verdict),
    timeliness: assessTimeliness(
      interaction.knowledgeSources,
      input.sourceUpdatedAt,
      startMs(interaction),
      options.now,
      options.freshnessHalfLifeDays,
    ),
    satisfaction: assessSatisfaction(feedback, signals, input.next !== null),
  };
  return {
    dimensions,
    missing: DIMENSIONS.filter((d) => dimensions[d].score === null),
    signals,
    gate: applyGate(dimensions, options.thresholds),
    recheckAt,
  };
}
