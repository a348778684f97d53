// Knowledge candidates: what one interaction teaches, read from its feedback and its score.
// A correction says what the right answer to the interaction's question was; a successful
// interaction (gate-eligible, or confirmed by positive feedback, and not contradicted by any
// feedback) says its answer was right. Pure: records in, candidates out.
import { contentTerms } from '../score/text.ts';

/** The feedback of an interaction, as the knowledge stage reads it. */
export interface KnowledgeFeedback {
  id: string;
  correction: string | null;
  /** 0..1 (from score, rating or thumbs); null when the feedback gives none. */
  score: number | null;
  userId: string | null;
}

/** One interaction taken from knowledge_queue, with what scoring said of it. */
export interface KnowledgeSource {
  interactionId: string;
  agent: string | null;
  userId: string | null;
  question: string | null;
  answer: string | null;
  /** interaction_scores.eligible: it passed the training gate. */
  eligible: boolean;
  feedback: readonly KnowledgeFeedback[];
  at: Date;
}

export interface KnowledgeCandidate {
  /** The agent it is about; null = shared by all agents. */
  agent: string | null;
  key: string;
  content: string;
  origin: 'correction' | 'interaction';
  /** Independent voters for this content: `user:<id>`, or `feedback:<id>` / `interaction:<id>` without a user. */
  supporters: string[];
  interactionIds: string[];
  feedbackIds: string[];
  at: Date;
}

/** Feedback at or above this score confirms an answer; below NEGATIVE contradicts it. */
const POSITIVE = 0.8;
const NEGATIVE = 0.5;

/**
 * The key of a question: its distinct content terms (lower-cased, stop words removed, crudely
 * stemmed: score/text.ts contentTerms), sorted and joined by spaces, so "Where is my order?"
 * and "where's my ORDER" meet. The agent scope is kept beside it, not in it.
 */
export function questionKey(question: string): string {
  return [...contentTerms(question)].sort().join(' ');
}

/** The candidates of one interaction: one per correction, else one for a successful answer; none without a question. */
export function extractCandidates(source: KnowledgeSource): KnowledgeCandidate[] {
  if (source.question === null) return [];
  const key = questionKey(source.question);
  if (key === '') return [];
  const base = { agent: source.agent, key, interactionIds: [source.interactionId], at: source.at };
  const corrections = source.feedback.filter((f) => f.correction !== null && f.correction.trim() !== '');
  if (corrections.length > 0) {
    return corrections.map((f) => ({
      ...base,
      content: (f.correction as string).trim(),
      origin: 'correction' as const,
      supporters: [f.userId === null ? `feedback:${f.id}` : `user:${f.userId}`],
      feedbackIds: [f.id],
    }));
  }
  const answer = source.answer?.trim() ?? '';
  if (answer === '') return [];
  if (source.feedback.some((f) => f.score !== null && f.score < NEGATIVE)) return [];
  const confirming = source.feedback.filter((f) => f.score !== null && f.score >= POSITIVE);
  if (!source.eligible && confirming.length === 0) return [];
  const voters = confirming.map((f) => (f.userId === null ? `feedback:${f.id}` : `user:${f.userId}`));
  if (voters.length === 0) voters.push(source.userId === null ? `interaction:${source.interactionId}` : `user:${source.userId}`);
  return [{ ...base, content: answer, origin: 'interaction', supporters: [...new Set(voters)], feedbackIds: confirming.map((f) => f.id) }];
}
