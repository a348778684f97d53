// Knowledge sources, the pure part: the update frequency a source is registered with, when a
// failed refresh is retried, and what a refreshed document's sections do to the items that came
// from earlier versions of it (new version, left alone, retired). No I/O, no clock.
import type { KnowledgeStatus } from './validation.ts';
import type { Section } from './split.ts';

/** The shortest and longest update frequency a source may have, in seconds. */
export const MIN_FREQUENCY_S = 1;
export const MAX_FREQUENCY_S = 366 * 86_400;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An update frequency in seconds, from a number of seconds or an ISO 8601 duration of weeks,
 * days, hours, minutes and seconds (PT30M, PT1H, P1D, P1W, P1DT12H). Years and months have no
 * fixed length and are refused, as are fractions. Throws a message saying what was wrong.
 */
export function parseUpdateFrequency(value: number | string): number {
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`updateFrequency in seconds must be a whole number, got ${value}`);
    seconds = value;
  } else {
    const text = value.trim().toUpperCase();
    const match = DURATION.exec(text);
    if (match === null || text === 'P' || text.endsWith('T')) {
      throw new Error(
        /^P[^T]*[YM]/.test(text)
          ? `updateFrequency '${value}' uses years or months, which have no fixed length; give weeks, days, hours, minutes or seconds (P30D)`
          : `updateFrequency must be seconds or an ISO 8601 duration such as PT15M, PT1H or P1D, got '${value}'`,
      );
    }
    const [w, d, h, m, s] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
    seconds = (((w * 7 + d) * 24 + h) * 60 + m) * 60 + s;
  }
  if (seconds < MIN_FREQUENCY_S || seconds > MAX_FREQUENCY_S) {
    throw new Error(`updateFrequency must be from ${MIN_FREQUENCY_S} second to ${MAX_FREQUENCY_S / 86_400} days, got ${seconds} s`);
  }
  return seconds;
}

/** The first retry after a failed refresh waits this long; each further failure doubles it. */
export const RETRY_BASE_S = 10;

/**
 * Seconds until the next try after the `failures`-th failure in a row (1 = the first):
 * RETRY_BASE_S × 2^(failures − 1), never more than the update frequency (a failing source is
 * never looked at less often than a healthy one).
 */
export function retryDelaySeconds(failures: number, frequencyS: number): number {
  const delay = RETRY_BASE_S * 2 ** Math.min(Math.max(failures, 1) - 1, 30);
  return Math.min(delay, frequencyS);
}

/** An item that came from the source before (any status), as the refresh sees it. */
export interface SourceItem {
  id: string;
  key: string;
  content: string;
  status: KnowledgeStatus;
  version: number;
}

export type SourceChange =
  /**
   * A section new or changed since the last version: a new item. Trusted: committed at once,
   * superseding every live item of the key. Untrusted: pending, superseding the key's pending
   * item; a committed one stays until a person approves the new version (`conflictWith`: the
   * approval supersedes it, see store/knowledge/items.ts decide()).
   */
  | { kind: 'insert'; key: string; content: string; version: number; status: 'committed' | 'pending'; supersede: string[]; conflictWith: string | null }
  /** A section no longer in the document: its live items are retired (superseded, by nothing). */
  | { kind: 'retire'; key: string; ids: string[] };

export interface SourcePlan {
  changes: SourceChange[];
  /** Sections whose content is what their latest version says (including one a person rejected). */
  unchanged: number;
}

const byVersionDesc = (a: SourceItem, b: SourceItem) => b.version - a.version;

/**
 * What a refreshed document does to the items of earlier versions. A section is unchanged when
 * the latest version of its key that is not superseded has the same content (so a version a
 * person rejected is not proposed again while the source says the same); else it yields a new
 * version (the key's highest + 1). A key no longer in the document has its live items retired.
 */
export function planSourceUpdate(sections: readonly Section[], items: readonly SourceItem[], trusted: boolean): SourcePlan {
  const byKey = new Map<string, SourceItem[]>();
  for (const item of items) byKey.set(item.key, [...(byKey.get(item.key) ?? []), item]);
  const changes: SourceChange[] = [];
  let unchanged = 0;
  for (const section of sections) {
    const ofKey = [...(byKey.get(section.key) ?? [])].sort(byVersionDesc);
    const latest = ofKey.find((i) => i.status !== 'superseded');
    if (latest !== undefined && latest.content === section.content) {
      unchanged += 1;
      continue;
    }
    const version = (ofKey[0]?.version ?? 0) + 1;
    // Oldest first, so the item a new version names in `supersedes` is the latest it replaces.
    const live = ofKey.filter((i) => i.status === 'pending' || i.status === 'committed').reverse();
    if (trusted) {
      changes.push({ kind: 'insert', key: section.key, content: section.content, version, status: 'committed', supersede: live.map((i) => i.id), conflictWith: null });
    } else {
      const committed = live.find((i) => i.status === 'committed');
      changes.push({
        kind: 'insert', key: section.key, content: section.content, version, status: 'pending',
        supersede: live.filter((i) => i.status === 'pending').map((i) => i.id), conflictWith: committed?.id ?? null,
      });
    }
  }
  const present = new Set(sections.map((s) => s.key));
  for (const [key, ofKey] of byKey) {
    if (present.has(key)) continue;
    const live = ofKey.filter((i) => i.status === 'pending' || i.status === 'committed').sort(byVersionDesc).reverse();
    if (live.length > 0) changes.push({ kind: 'retire', key, ids: live.map((i) => i.id) });
  }
  return { changes, unchanged };
}
