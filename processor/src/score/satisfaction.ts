// User satisfaction: what users said (explicit feedback), else what their behaviour showed
// (implicit signals: retries, rephrasing, abandonment, errors).
import { mean } from './accuracy.ts';
import { implicitSatisfaction } from './implicit.ts';
import { type DimensionScore, type FeedbackFacts, type ImplicitSignal, isUserFeedback } from './quality.ts';
import { round } from './text.ts';

/** The mean of users' scores when any scored the answer; otherwise implicit satisfaction. */
export function assessSatisfaction(
  feedback: readonly FeedbackFacts[],
  signals: readonly ImplicitSignal[],
  continued: boolean,
): DimensionScore & { score: number } {
  const scores = feedback.filter(isUserFeedback).flatMap((f) => (f.score === null ? [] : [f.score]));
  if (scores.length > 0) {
    return { score: round(mean(scores)), source: 'feedback', details: { count: scores.length, signals: signals.map((s) => s.kind) } };
  }
  return {
    score: round(implicitSatisfaction(signals, continued)),
    source: 'implicit',
    details: { signals: signals.map((s) => s.kind), conversationContinued: continued },
  };
}
