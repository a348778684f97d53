// Topic clusters of user inputs, deterministic and incremental. An input is its set of content
// terms (score/text.ts contentTerms: lower-cased, stop words out, crudely stemmed); its MinHash
// signature (SIGNATURE seeded hashes) estimates the Jaccard similarity of two inputs as the share
// of equal positions. Clusters are found through locality-sensitive hashing (BANDS bands of
// ROWS positions: inputs sharing a band are candidates) and joined when the estimate against the
// cluster's representative (its first input) is at least SIMILAR; otherwise the input founds a
// new cluster. Inputs are assigned once, in start order, so the same history gives the same
// clusters, and a pass only looks at inputs not assigned yet. Pure: terms in, assignments out.
import { createHash } from 'node:crypto';
import { contentTerms } from '../score/text.ts';

export const SIGNATURE = 32;
const BANDS = 16;
const ROWS = SIGNATURE / BANDS;
/** Estimated Jaccard similarity to a cluster's representative that joins the cluster. */
export const SIMILAR = 0.4;

/** 32-bit FNV-1a of a string, mixed with a seed (murmur3's finaliser). */
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const SEEDS = Array.from({ length: SIGNATURE }, (_, i) => hash(`seed-${i}`, 0x9e3779b9));

/** The MinHash signature of a set of terms; null for no terms. */
export function signatureOf(terms: ReadonlySet<string>): number[] | null {
  if (terms.size === 0) return null;
  const signature = new Array<number>(SIGNATURE).fill(2 ** 31 - 1);
  for (const term of terms) {
    for (let i = 0; i < SIGNATURE; i++) {
      const h = hash(term, SEEDS[i] as number);
      if (h < (signature[i] as number)) signature[i] = h;
    }
  }
  return signature;
}

/** The share of equal positions of two signatures: the MinHash estimate of their Jaccard similarity. */
export function similarity(a: readonly number[], b: readonly number[]): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE;
}

function bandKeys(signature: readonly number[]): string[] {
  return Array.from({ length: BANDS }, (_, b) => `${b}:${signature.slice(b * ROWS, (b + 1) * ROWS).join(',')}`);
}

/** What a cluster of either kind keeps of its inputs' words, for its label. */
export interface ClusterTerms {
  /** Term -> inputs of the cluster that contain it (the most frequent TERMS kept). */
  terms: Record<string, number>;
}

export interface Cluster extends ClusterTerms {
  id: string;
  signature: number[];
  examples: string[];
  /** Inputs assigned by this index (new ones), for the caller's bookkeeping. */
  added: number;
}

const TERMS = 50;
const EXAMPLES = 5;

/** The cluster id of a representative input: stable for the same agent and input. */
export function clusterId(agent: string, interactionId: string): string {
  return `t${createHash('sha256').update(`${agent}\n${interactionId}`).digest('hex').slice(0, 15)}`;
}

/** A cluster's label: its three most frequent terms (ties alphabetical). */
export function labelOf(terms: Readonly<Record<string, number>>): string {
  return Object.entries(terms).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([t]) => t).join(' ');
}

/** Counts an input's terms into its cluster, keeping the most frequent TERMS once there are twice as many. */
export function countTerms(cluster: ClusterTerms, terms: ReadonlySet<string>): void {
  for (const term of terms) cluster.terms[term] = (cluster.terms[term] ?? 0) + 1;
  if (Object.keys(cluster.terms).length > TERMS * 2) {
    cluster.terms = Object.fromEntries(Object.entries(cluster.terms).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TERMS));
  }
}

/** One agent's clusters, indexed by band, to which new inputs are assigned in order. */
export class TopicIndex {
  private readonly buckets = new Map<string, Cluster[]>();
  readonly clusters: Cluster[] = [];

  constructor(private readonly agent: string, existing: readonly Omit<Cluster, 'added'>[]) {
    for (const c of existing) this.index({ ...c, terms: { ...c.terms }, examples: [...c.examples], added: 0 });
  }

  private index(cluster: Cluster): void {
    this.clusters.push(cluster);
    for (const key of bandKeys(cluster.signature)) {
      const list = this.buckets.get(key);
      if (list === undefined) this.buckets.set(key, [cluster]);
      else list.push(cluster);
    }
  }

  /** Assigns an input: the id of its cluster, or null when it has no content terms. */
  assign(interactionId: string, text: string | null): string | null {
    const terms = contentTerms(text ?? '');
    const signature = signatureOf(terms);
    if (signature === null) return null;
    // The most similar candidate at SIMILAR or above; among equals the smallest id.
    let best: Cluster | null = null;
    let bestSimilarity = 0;
    const seen = new Set<Cluster>();
    for (const key of bandKeys(signature)) {
      for (const cluster of this.buckets.get(key) ?? []) {
        if (seen.has(cluster)) continue;
        seen.add(cluster);
        const s = similarity(signature, cluster.signature);
        if (s < SIMILAR) continue;
        if (best === null || s > bestSimilarity || (s === bestSimilarity && cluster.id < best.id)) {
          best = cluster;
          bestSimilarity = s;
        }
      }
    }
    if (best === null) {
      best = { id: clusterId(this.agent, interactionId), signature, terms: {}, examples: [], added: 0 };
      this.index(best);
    }
    best.added++;
    countTerms(best, terms);
    if (best.examples.length < EXAMPLES) best.examples.push(interactionId);
    return best.id;
  }
}
