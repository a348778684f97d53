// Relevance: does the answer address the question that was asked? The judge's verdict when
// there is one, else lexical overlap between the question and the answer.
import type { DimensionScore, Verdict } from './quality.ts';
import { contentTerms, round, termRecall } from './text.ts';

/**
 * Share of the question's content terms (stop words dropped, crudely stemmed) that the answer
 * uses. Strict: an answer in other words ("delivery" for "shipping") scores low; a refusal or an
 * off-topic answer scores near 0. Null when the question has no content terms ("why?").
 */
export function questionTermCoverage(question: string, answer: string): number | null {
  return termRecall(contentTerms(question), contentTerms(answer));
}

export function assessRelevance(question: string | null, answer: string | null, verdict: Verdict | null): DimensionScore {
  const lexical = question === null || answer === null ? null : questionTermCoverage(question, answer);
  if (verdict !== null) {
    return {
      score: round(verdict.relevance),
      source: 'judge',
      details: { rationale: verdict.rationale, questionTermCoverage: lexical === null ? null : round(lexical) },
    };
  }
  if (question === null || answer === null) return { score: null, missing: 'no captured question and answer to compare' };
  if (lexical === null) return { score: null, missing: 'the question has no content words to compare' };
  return { score: round(lexical), source: 'heuristic', details: { method: 'question_term_coverage' } };
}
