// The records of the score stage: what the scorer reads (an interaction, its feedback, its
// neighbours in the conversation, a judge verdict) and what it returns (an Assessment).
import type { Interaction } from '../normalize/interaction.ts';
import { USER_FEEDBACK } from '../normalize/semconv.ts';

/** The four quality dimensions gated for training, and user satisfaction. */
export const GATED_DIMENSIONS = ['accuracy', 'completeness', 'relevance', 'timeliness'] as const;
export type GatedDimension = (typeof GATED_DIMENSIONS)[number];
export const DIMENSIONS = [...GATED_DIMENSIONS, 'satisfaction'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Where a score came from. */
export type ScoreSource = 'expected_output' | 'feedback' | 'judge' | 'heuristic' | 'implicit';

export type DimensionScore =
  | { score: number; source: ScoreSource; details: Record<string, unknown> }
  /** Not assessable for this interaction; `missing` says what was lacking. */
  | { score: null; missing: string };

/** The fields of an interaction the scorer reads. */
export type ScoredInteraction = Pick<
  Interaction,
  | 'id'
  | 'sessionId'
  | 'startTimeUnixNano'
  | 'responseTimeMs'
  | 'userInput'
  | 'response'
  | 'finishReasons'
  | 'tools'
  | 'status'
  | 'errorType'
  | 'knowledgeSources'
  | 'expectedOutput'
>;

/** Another turn of the same conversation (the one before or after). */
export type Turn = Pick<Interaction, 'id' | 'startTimeUnixNano' | 'responseTimeMs' | 'userInput'>;

/** Explicit feedback as the scorer reads it (store/quality/feedback.ts has the full record). */
export interface FeedbackFacts {
  /** gen_ai.evaluation.name; users' feedback is 'user_feedback'. */
  name: string;
  /** In [0, 1] (ratings and thumbs are mapped); null when only a comment or correction was given. */
  score: number | null;
  rating: number | null;
  thumbs: 'up' | 'down' | null;
  correction: string | null;
}

/** A judge's verdict on the content of an interaction, each in [0, 1]. */
export interface Verdict {
  accuracy: number;
  completeness: number;
  relevance: number;
  rationale: string;
}

export interface AssessmentInput {
  interaction: ScoredInteraction;
  /** Feedback on the interaction, oldest first. */
  feedback: readonly FeedbackFacts[];
  previous: Turn | null;
  next: Turn | null;
  verdict: Verdict | null;
  /** Last update (ms since the epoch) of knowledge sources, where known. */
  sourceUpdatedAt: ReadonlyMap<string, number>;
}

export interface Thresholds {
  accuracy: number;
  completeness: number;
  relevance: number;
  timeliness: number;
}

export interface AssessmentOptions {
  /** The clock, ms since the epoch. */
  now: number;
  retryWindowMs: number;
  abandonMs: number;
  freshnessHalfLifeDays: number;
  thresholds: Thresholds;
}

export type SignalKind = 'retry' | 'rephrase' | 'abandon' | 'agent_error' | 'tool_failure' | 'truncated';

/** Implicit feedback: something the traces show about how the turn went. */
export interface ImplicitSignal {
  kind: SignalKind;
  detail: string;
}

export interface GateResult {
  /** Every gated dimension was assessed and met its threshold. */
  eligible: boolean;
  /** Why not, one clause per failing dimension; null when eligible. */
  reason: string | null;
  /** satisfaction > 0.7 reinforces; anything else marks improvement areas. */
  outcome: 'reinforce' | 'improve';
  improvementAreas: Dimension[];
}

export interface Assessment {
  dimensions: Record<Dimension, DimensionScore>;
  /** Dimensions that could not be assessed. */
  missing: Dimension[];
  signals: ImplicitSignal[];
  gate: GateResult;
  /**
   * When (ms since the epoch) to look again: set while a troubled last turn may still turn out
   * abandoned. Null when nothing can change by waiting.
   */
  recheckAt: number | null;
}

export function isUserFeedback(f: FeedbackFacts): boolean {
  return f.name === USER_FEEDBACK || f.rating !== null || f.thumbs !== null;
}

export function startMs(turn: Pick<Interaction, 'startTimeUnixNano'>): number {
  return Number(turn.startTimeUnixNano / 1_000_000n);
}

export function endMs(turn: Pick<Interaction, 'startTimeUnixNano' | 'responseTimeMs'>): number {
  return startMs(turn) + turn.responseTimeMs;
}
