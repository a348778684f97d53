// Validation of a candidate against what is already known under its key (same agent scope,
// same question terms): a duplicate merges, a conflict supersedes or is flagged for review.
// Nothing is overwritten: a merge only adds supporters and provenance, a superseded item keeps
// its content and points at its successor. Pure: items in, the changes to make out.
import { contentTerms, jaccard, normalizeText, round } from '../score/text.ts';
import type { KnowledgeCandidate } from './candidates.ts';

export type KnowledgeStatus = 'pending' | 'committed' | 'rejected' | 'superseded';

/** A stored item that still counts (pending or committed), as validation sees it. */
export interface LiveItem {
  id: string;
  content: string;
  status: 'pending' | 'committed';
  confidence: number;
  supporters: readonly string[];
  version: number;
  createdAt: Date;
}

/** Contents whose term sets overlap at least this much (Jaccard) say the same thing. */
export const NEAR_DUPLICATE = 0.8;

export type Integration =
  /** The candidate says what `id` says: add its supporters and provenance to it. */
  | { kind: 'merge'; id: string }
  /**
   * A new item. `supersedes`: a pending item it replaces (newer and at least as confident), which
   * becomes superseded; `conflictWith`: a committed or more confident item it contradicts, left
   * for a person to decide (the new item stays pending, outside the batch commit).
   */
  | { kind: 'insert'; supersedes: LiveItem | null; conflictWith: LiveItem | null; version: number };

/** True when two contents say the same: equal once normalised, or term Jaccard >= NEAR_DUPLICATE. */
export function sameContent(a: string, b: string): boolean {
  if (normalizeText(a) === normalizeText(b)) return true;
  return (jaccard(contentTerms(a), contentTerms(b)) ?? 0) >= NEAR_DUPLICATE;
}

/**
 * Confidence of an item among the live items of its key: S / (S + D + 1), where S is the number of
 * independent supporters of its content (distinct users; a supporter without a user id counts
 * once per feedback or interaction) and D the number of other supporters of contradicting
 * live items of the same key. One correction alone: 0.5; two users agreeing: 0.67; six: 0.86; each
 * disagreeing user lowers it. The +1 is the doubt nothing has spoken to yet.
 */
export function confidenceOf(supporters: readonly string[], rivals: readonly (readonly string[])[]): number {
  const own = new Set(supporters);
  const against = new Set(rivals.flat().filter((s) => !own.has(s)));
  return round(own.size / (own.size + against.size + 1));
}

/** Confidence of each live item of one key, by id. */
export function confidences(items: readonly Pick<LiveItem, 'id' | 'supporters'>[]): Map<string, number> {
  return new Map(items.map((item) => [item.id, confidenceOf(item.supporters, items.filter((o) => o.id !== item.id).map((o) => o.supporters))]));
}

/**
 * What to do with a candidate, given the live items of its key. A near duplicate merges. Else it
 * contradicts every live item: against the most confident one, it supersedes a pending item when
 * it is newer and at least as confident once both count the other's supporters as dissent; a
 * committed item is never replaced automatically (people decide, or the commit of the new item
 * does: see commitItem), and neither is a more confident one.
 */
export function integrate(candidate: KnowledgeCandidate, live: readonly LiveItem[]): Integration {
  const duplicate = live.find((item) => sameContent(item.content, candidate.content));
  if (duplicate !== undefined) return { kind: 'merge', id: duplicate.id };
  if (live.length === 0) return { kind: 'insert', supersedes: null, conflictWith: null, version: 1 };
  const rivals = live.map((item) => item.supporters);
  const mine = confidenceOf(candidate.supporters, rivals);
  const strongest = [...live].sort((a, b) => b.confidence - a.confidence || b.createdAt.getTime() - a.createdAt.getTime())[0] as LiveItem;
  const theirs = confidenceOf(strongest.supporters, [...live.filter((i) => i !== strongest).map((i) => i.supporters), candidate.supporters]);
  const newer = candidate.at.getTime() >= strongest.createdAt.getTime();
  if (strongest.status === 'pending' && newer && mine >= theirs) {
    return { kind: 'insert', supersedes: strongest, conflictWith: null, version: strongest.version + 1 };
  }
  return { kind: 'insert', supersedes: null, conflictWith: strongest, version: strongest.version + 1 };
}
