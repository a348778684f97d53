// Completeness: did the turn finish the job? Structural checks that need no message content
// (not cut off, tool calls resolved, no failure, not ending on a tool request), times how many
// of the user's questions the answer touched (content), or the judge's verdict on that.
import { detectAgentError, TRUNCATION_REASONS, unresolvedToolFailures } from './implicit.ts';
import type { DimensionScore, ScoredInteraction, Verdict } from './quality.ts';
import { contentTerms, endsWithToolCall, round, termRecall } from './text.ts';

/** What each failed check multiplies completeness by. */
export const COMPLETENESS_FACTORS = {
  truncated: 0.3,
  /** Per tool call that failed and was not retried with success. */
  unresolvedTool: 0.6,
  endedOnToolCall: 0.5,
  agentError: 0.5,
  emptyAnswer: 0,
} as const;

interface Check {
  check: keyof typeof COMPLETENESS_FACTORS;
  factor: number;
  detail: string;
}

/** The structural checks that failed; needs no message content except to spot an empty answer. */
export function structuralChecks(
  turn: Pick<ScoredInteraction, 'finishReasons' | 'tools' | 'status' | 'errorType' | 'response'>,
  answer: string | null,
): Check[] {
  const failed: Check[] = [];
  const truncation = turn.finishReasons.find((r) => TRUNCATION_REASONS.has(r));
  if (truncation !== undefined) failed.push({ check: 'truncated', factor: COMPLETENESS_FACTORS.truncated, detail: `finish reason ${truncation}` });
  for (const tool of unresolvedToolFailures(turn.tools)) {
    failed.push({ check: 'unresolvedTool', factor: COMPLETENESS_FACTORS.unresolvedTool, detail: `${tool.name} failed (${tool.error})` });
  }
  const endedOnToolCall = turn.finishReasons.at(-1) === 'tool_call' || endsWithToolCall(turn.response);
  if (endedOnToolCall) {
    failed.push({ check: 'endedOnToolCall', factor: COMPLETENESS_FACTORS.endedOnToolCall, detail: 'the turn ended asking for tools' });
  }
  if (detectAgentError(turn) !== null) {
    failed.push({ check: 'agentError', factor: COMPLETENESS_FACTORS.agentError, detail: `failed${turn.errorType === null ? '' : ` with ${turn.errorType}`}` });
  }
  if (answer !== null && answer.trim() === '' && !endedOnToolCall) {
    failed.push({ check: 'emptyAnswer', factor: COMPLETENESS_FACTORS.emptyAnswer, detail: 'no text in the answer' });
  }
  return failed;
}

/**
 * The separate questions of a user message: sentences ending in '?' and list items; one part
 * when the message holds a single question (or none marked as such).
 */
export function subQuestions(question: string): string[] {
  const parts = question
    .split(/(?<=\?)\s+|\n+\s*(?:[-*•]|\d+[.)])\s+|\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => contentTerms(p).size > 0);
  return parts.length > 0 ? parts : [question];
}

/**
 * Share of the sub-questions the answer touches (uses at least one of their content terms).
 * Null with a single question: whether that one was answered is relevance's call.
 */
export function subQuestionCoverage(question: string, answer: string): { addressed: number; total: number } | null {
  const parts = subQuestions(question);
  if (parts.length < 2) return null;
  const answerTerms = contentTerms(answer);
  const addressed = parts.filter((p) => (termRecall(contentTerms(p), answerTerms) ?? 0) > 0).length;
  return { addressed, total: parts.length };
}

export function assessCompleteness(
  turn: Pick<ScoredInteraction, 'finishReasons' | 'tools' | 'status' | 'errorType' | 'response'>,
  question: string | null,
  answer: string | null,
  verdict: Verdict | null,
): DimensionScore {
  const failed = structuralChecks(turn, answer);
  const structural = failed.reduce((product, c) => product * c.factor, 1);
  const checks = failed.map(({ check, detail }) => ({ check, detail }));
  if (verdict !== null) {
    return { score: round(structural * verdict.completeness), source: 'judge', details: { failedChecks: checks, judged: verdict.completeness, rationale: verdict.rationale } };
  }
  if (question === null || answer === null) {
    return { score: round(structural), source: 'heuristic', details: { failedChecks: checks, questionCoverage: 'not checked: no captured content' } };
  }
  const coverage = subQuestionCoverage(question, answer);
  const share = coverage === null ? 1 : coverage.addressed / coverage.total;
  return {
    score: round(structural * share),
    source: 'heuristic',
    details: { failedChecks: checks, questionCoverage: coverage ?? 'single question' },
  };
}
