// Implicit feedback: what the traces themselves say about how a turn went, without anyone
// rating it. Each detector is a pure function of the turn and its neighbours in the
// conversation (same gen_ai.conversation.id); README "Quality assessment" lists their limits.
import type { ToolCall } from '../normalize/interaction.ts';
import {
  endMs,
  type ImplicitSignal,
  type ScoredInteraction,
  type SignalKind,
  startMs,
  type Turn,
} from './quality.ts';
import { contentTerms, jaccard, lastUserText, normalizeText } from './text.ts';

/** Term overlap (Jaccard) from which a next question is the same question asked again. */
export const RETRY_SIMILARITY = 0.8;
/** Term overlap from which a next question is the same question in other words. */
export const REPHRASE_SIMILARITY = 0.5;

/** Openings of a next message that take the previous answer back ("no, I meant..."). */
const CORRECTION_OPENINGS =
  /^(no\b|nope\b|not what i|that'?s not|that is not|i meant\b|i mean\b|i said\b|wrong\b|that'?s wrong|incorrect\b|again\b|try again\b|you didn'?t\b|you misunderstood)/;

/**
 * Whether the user asked again after this turn. `retry`: the next turn of the conversation,
 * started within `windowMs` of this answer, asks the same question (equal once case and
 * punctuation are dropped, or content-term Jaccard >= 0.8), both having content terms.
 * `rephrase`: within the window, the next question opens by taking the answer back ("no, I
 * meant...") or shares most of its content terms (Jaccard >= 0.5) without being the same.
 * Null when neither, or without content.
 */
export function detectRepeat(
  turn: Pick<ScoredInteraction, 'startTimeUnixNano' | 'responseTimeMs' | 'userInput'>,
  next: Turn | null,
  windowMs: number,
): ImplicitSignal | null {
  if (next === null) return null;
  const gapMs = startMs(next) - endMs(turn);
  if (gapMs > windowMs) return null;
  const question = lastUserText(turn.userInput);
  const asked = lastUserText(next.userInput);
  if (question === null || asked === null) return null;
  const seconds = `${Math.max(0, Math.round(gapMs / 1000))} s later`;
  // Null when neither message has a content term: "Hi" then "Thanks!", or "ok" then "why?", ask
  // nothing, so neither can be the other asked again, not even word for word.
  const similarity = jaccard(contentTerms(question), contentTerms(asked));
  if (similarity !== null && normalizeText(question) === normalizeText(asked)) {
    return { kind: 'retry', detail: `the next turn asked the same question ${seconds}` };
  }
  if (similarity !== null && similarity >= RETRY_SIMILARITY) {
    return { kind: 'retry', detail: `the next turn asked the same question ${seconds} (term overlap ${similarity.toFixed(2)})` };
  }
  if (CORRECTION_OPENINGS.test(normalizeText(asked))) {
    return { kind: 'rephrase', detail: `the next turn took the answer back ${seconds}: "${asked.slice(0, 60)}"` };
  }
  if (similarity !== null && similarity >= REPHRASE_SIMILARITY) {
    return { kind: 'rephrase', detail: `the next turn asked again in other words ${seconds} (term overlap ${similarity.toFixed(2)})` };
  }
  return null;
}

/** The agent failed: the interaction failed for a reason other than a failed tool. */
export function detectAgentError(turn: Pick<ScoredInteraction, 'status' | 'errorType' | 'tools'>): ImplicitSignal | null {
  if (turn.status !== 'error') return null;
  const toolErrors = new Set(turn.tools.flatMap((t) => (t.error === null ? [] : [t.error])));
  // status is 'error' when any span failed; a failure the tools explain is a tool failure.
  if (toolErrors.size > 0 && (turn.errorType === null || toolErrors.has(turn.errorType))) return null;
  return { kind: 'agent_error', detail: `the interaction failed${turn.errorType === null ? '' : ` with ${turn.errorType}`}` };
}

/** Tool calls that failed and were not later retried with success (same tool name). */
export function unresolvedToolFailures(tools: readonly ToolCall[]): ToolCall[] {
  return tools.filter((t, i) => t.error !== null && !tools.slice(i + 1).some((later) => later.name === t.name && later.error === null));
}

/** A tool call failed and no later call of the same tool succeeded. */
export function detectToolFailure(turn: Pick<ScoredInteraction, 'tools'>): ImplicitSignal | null {
  const failed = unresolvedToolFailures(turn.tools);
  if (failed.length === 0) return null;
  return { kind: 'tool_failure', detail: `failed: ${failed.map((t) => `${t.name} (${t.error})`).join(', ')}` };
}

/** Finish reasons that mean the output hit a token limit (OpenAI, Anthropic, Gemini, Responses spellings). */
export const TRUNCATION_REASONS: ReadonlySet<string> = new Set(['length', 'max_tokens', 'max_output_tokens']);

/** The answer was cut off by a token limit (finish reason `length`). */
export function detectTruncation(turn: Pick<ScoredInteraction, 'finishReasons'>): ImplicitSignal | null {
  const reason = turn.finishReasons.find((r) => TRUNCATION_REASONS.has(r));
  return reason === undefined ? null : { kind: 'truncated', detail: `finish reason ${reason}` };
}

/**
 * The user left after a troubled turn: it is the last turn of its conversation, nothing followed
 * for `abandonMs`, and it failed (agent error, tool failure, cut off) or was itself a retry or
 * rephrase of the turn before. A conversation that simply ends after a clean answer is not
 * abandonment. `pending` is true while the idle time has not passed yet: look again at `recheckAt`.
 */
export function detectAbandon(
  turn: Pick<ScoredInteraction, 'sessionId' | 'startTimeUnixNano' | 'responseTimeMs'>,
  next: Turn | null,
  trouble: readonly ImplicitSignal[],
  now: number,
  abandonMs: number,
): { signal: ImplicitSignal | null; recheckAt: number | null } {
  if (turn.sessionId === null || next !== null || trouble.length === 0) return { signal: null, recheckAt: null };
  const idleMs = now - endMs(turn);
  if (idleMs < abandonMs) return { signal: null, recheckAt: endMs(turn) + abandonMs };
  const why = [...new Set(trouble.map((s) => s.kind))].join(', ');
  return {
    signal: { kind: 'abandon', detail: `the conversation ended after this troubled turn (${why}); idle ${Math.round(idleMs / 60_000)} min` },
    recheckAt: null,
  };
}

/** Every implicit signal of a turn, given its neighbours; and when to look again for abandonment. */
export function detectSignals(
  turn: ScoredInteraction,
  previous: Turn | null,
  next: Turn | null,
  options: { now: number; retryWindowMs: number; abandonMs: number },
): { signals: ImplicitSignal[]; recheckAt: number | null } {
  const own = [detectAgentError(turn), detectToolFailure(turn), detectTruncation(turn)].filter((s) => s !== null);
  const repeat = detectRepeat(turn, next, options.retryWindowMs);
  // This turn repeating the one before it means the user was already struggling.
  const repeating = previous === null ? null : detectRepeat(previous, turn, options.retryWindowMs);
  const abandon = detectAbandon(turn, next, repeating === null ? own : [...own, repeating], options.now, options.abandonMs);
  const signals = [...own, ...(repeat === null ? [] : [repeat]), ...(abandon.signal === null ? [] : [abandon.signal])];
  return { signals, recheckAt: abandon.recheckAt };
}

/** How much each signal takes off implicit satisfaction (multiplicatively). */
export const SIGNAL_PENALTIES: Readonly<Record<SignalKind, number>> = {
  retry: 0.6,
  rephrase: 0.4,
  abandon: 0.6,
  agent_error: 0.6,
  tool_failure: 0.3,
  truncated: 0.4,
};

/** Implicit satisfaction with no signal at all: nothing went wrong, nobody said it went right. */
export const NEUTRAL_SATISFACTION = 0.75;
/** The conversation went on to a new question: mild evidence the answer served. */
export const CONTINUED_SATISFACTION = 0.8;

/** Satisfaction from signals alone: the baseline times (1 - penalty) for each signal. */
export function implicitSatisfaction(signals: readonly ImplicitSignal[], continued: boolean): number {
  let score = continued && signals.length === 0 ? CONTINUED_SATISFACTION : NEUTRAL_SATISFACTION;
  for (const signal of signals) score *= 1 - SIGNAL_PENALTIES[signal.kind];
  return score;
}
