// Accuracy: is the answer right? Against a reference when there is one (the evaluation run's
// flywheel.expected_output, else a user's correction), else the judge's verdict, else what users
// scored the answer.
import { type DimensionScore, type FeedbackFacts, isUserFeedback, type Verdict } from './quality.ts';
import { contentTerms, normalizeText, round, termRecall } from './text.ts';

/**
 * How much of a reference answer the answer states: 1 when the answer contains the reference
 * (case and punctuation aside), else the share of the reference's content terms found in the
 * answer. Words are compared, not meaning: a paraphrase scores low, a negation ("not Paris")
 * scores as high as the statement.
 */
export function referenceAgreement(answer: string, reference: string): { score: number; method: string } {
  const normalizedReference = normalizeText(reference);
  if (normalizedReference !== '' && ` ${normalizeText(answer)} `.includes(` ${normalizedReference} `)) {
    return { score: 1, method: 'contains_reference' };
  }
  const recall = termRecall(contentTerms(reference), contentTerms(answer));
  if (recall === null) return { score: normalizedReference === normalizeText(answer) ? 1 : 0, method: 'exact_match' };
  return { score: recall, method: 'reference_term_recall' };
}

/** Accuracy, from the first source available: expected output, correction, judge, feedback score. */
export function assessAccuracy(
  answer: string | null,
  expectedOutput: string | null,
  feedback: readonly FeedbackFacts[],
  verdict: Verdict | null,
): DimensionScore {
  if (answer !== null && expectedOutput !== null) {
    const { score, method } = referenceAgreement(answer, expectedOutput);
    return { score: round(score), source: 'expected_output', details: { method } };
  }
  const correction = feedback.findLast((f) => f.correction !== null)?.correction ?? null;
  if (answer !== null && correction !== null) {
    const { score, method } = referenceAgreement(answer, correction);
    return { score: round(score), source: 'feedback', details: { method, against: 'correction' } };
  }
  if (verdict !== null) return { score: round(verdict.accuracy), source: 'judge', details: { rationale: verdict.rationale } };
  const scores = feedback.filter(isUserFeedback).flatMap((f) => (f.score === null ? [] : [f.score]));
  if (scores.length > 0) {
    return { score: round(mean(scores)), source: 'feedback', details: { method: 'user_score', count: scores.length } };
  }
  return {
    score: null,
    missing:
      answer === null
        ? 'no captured content, judge verdict or feedback score'
        : 'no expected output, correction, judge verdict or feedback score',
  };
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
