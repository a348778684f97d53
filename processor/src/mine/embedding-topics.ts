// Topic clusters from embeddings, when an OpenAI-compatible embeddings endpoint is configured
// (FLYWHEEL_MINE_EMBEDDINGS_MODEL): the same incremental, in-order assignment as the MinHash
// clusters of topics.ts, with the cosine similarity of embedding vectors in place of the Jaccard
// estimate. Candidates come from random-hyperplane locality-sensitive hashing (HYPERPLANES seeded
// hyperplanes, the sign of the vector's projection on each is a bit; BANDS bands of BITS bits:
// vectors sharing a band are candidates) and an input joins the candidate whose representative
// (the cluster's first input) is the most similar at `similar` or above, or founds a cluster.
// The hyperplanes depend only on the dimension, so the same vectors give the same clusters.
// Pure: vectors in, assignments out; the worker fetches the vectors.
import { contentTerms } from '../score/text.ts';
import { mulberry32 } from './stats.ts';
import { clusterId, type ClusterTerms, countTerms } from './topics.ts';

const HYPERPLANES = 64;
const BITS = 4;
const BANDS = HYPERPLANES / BITS;
const EXAMPLES = 5;

/** The default cosine similarity to a cluster's representative that joins the cluster. */
export const EMBEDDING_SIMILAR = 0.8;

export interface EmbeddingCluster extends ClusterTerms {
  id: string;
  /** The representative input's vector, unit length. */
  embedding: number[];
  examples: string[];
  /** Inputs assigned by this index (new ones), for the caller's bookkeeping. */
  added: number;
}

/** Seeded by the dimension: the hyperplanes of one dimension are always the same. */
function hyperplanes(dimension: number): Float64Array[] {
  const next = mulberry32(0x9e3779b9 ^ dimension);
  // In (0, 1], so that its logarithm is finite.
  const uniform = () => 1 - next();
  // Box-Muller: Gaussian components make the hyperplanes' directions uniform on the sphere.
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: HYPERPLANES }, () => Float64Array.from({ length: dimension }, gaussian));
}

/** The vector scaled to unit length; null for a zero, empty or non-finite vector. */
export function unit(vector: readonly number[]): number[] | null {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (vector.length === 0 || !Number.isFinite(norm) || norm === 0) return null;
  return vector.map((x) => x / norm);
}

/** The cosine similarity of two unit vectors of the same dimension. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}

/** One agent's embedding clusters of one model, to which new inputs are assigned in order. */
export class EmbeddingIndex {
  private readonly buckets = new Map<string, EmbeddingCluster[]>();
  private planes: Float64Array[] | null = null;
  readonly clusters: EmbeddingCluster[] = [];

  constructor(
    private readonly agent: string,
    existing: readonly Omit<EmbeddingCluster, 'added'>[],
    private readonly similar = EMBEDDING_SIMILAR,
  ) {
    for (const c of existing) this.index({ ...c, terms: { ...c.terms }, examples: [...c.examples], added: 0 });
  }

  private bandKeys(vector: readonly number[]): string[] {
    if (this.planes === null || this.planes[0]?.length !== vector.length) this.planes = hyperplanes(vector.length);
    const keys: string[] = [];
    for (let band = 0; band < BANDS; band++) {
      let bits = 0;
      for (let b = 0; b < BITS; b++) {
        const plane = this.planes[band * BITS + b] as Float64Array;
        let dot = 0;
        for (let i = 0; i < vector.length; i++) dot += (vector[i] as number) * (plane[i] as number);
        bits = (bits << 1) | (dot >= 0 ? 1 : 0);
      }
      // The dimension is part of the key: vectors of another dimension are never candidates.
      keys.push(`${vector.length}:${band}:${bits}`);
    }
    return keys;
  }

  private index(cluster: EmbeddingCluster): void {
    this.clusters.push(cluster);
    for (const key of this.bandKeys(cluster.embedding)) {
      const list = this.buckets.get(key);
      if (list === undefined) this.buckets.set(key, [cluster]);
      else list.push(cluster);
    }
  }

  /**
   * Assigns an input by its vector: the id of its cluster, or null when the vector is empty or
   * zero. `text` supplies the cluster's terms, from which its label is made.
   */
  assign(interactionId: string, text: string | null, vector: readonly number[]): string | null {
    const embedding = unit(vector);
    if (embedding === null) return null;
    let best: EmbeddingCluster | null = null;
    let bestSimilarity = 0;
    const seen = new Set<EmbeddingCluster>();
    for (const key of this.bandKeys(embedding)) {
      for (const cluster of this.buckets.get(key) ?? []) {
        if (seen.has(cluster)) continue;
        seen.add(cluster);
        const s = cosine(embedding, cluster.embedding);
        if (s < this.similar) continue;
        if (best === null || s > bestSimilarity || (s === bestSimilarity && cluster.id < best.id)) {
          best = cluster;
          bestSimilarity = s;
        }
      }
    }
    if (best === null) {
      // Stored as real[]: rounded to single precision now, so a reloaded index compares the same numbers.
      best = { id: clusterId(this.agent, interactionId), embedding: embedding.map(Math.fround), terms: {}, examples: [], added: 0 };
      this.index(best);
    }
    best.added++;
    countTerms(best, contentTerms(text ?? ''));
    if (best.examples.length < EXAMPLES) best.examples.push(interactionId);
    return best.id;
  }
}
