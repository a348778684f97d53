// The embeddings endpoint topic clusters use when FLYWHEEL_MINE_EMBEDDINGS_MODEL is set: the
// `openai` client's embeddings.create over any OpenAI-compatible API, BATCH inputs per request.
// An answer that does not fit (a vector missing, or of another dimension) is an error like a
// failed request: the pass then clusters those inputs by MinHash instead (worker.ts).
import OpenAI from 'openai';
import type { ScoreConfig } from '../score/config.ts';
import type { MineConfig } from './config.ts';

const BATCH = 256;
const TIMEOUT_MS = 30_000;

export interface Embedder {
  readonly model: string;
  /** One vector per text, in order; throws when the endpoint fails or answers out of shape. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** The embedder of the settings, or undefined when no embedding model is set. */
export function embedderOf(config: MineConfig & ScoreConfig): Embedder | undefined {
  const model = config.mineEmbeddingsModel;
  if (model === undefined) return undefined;
  const baseURL = config.mineEmbeddingsBaseUrl ?? config.judgeBaseUrl;
  const client = new OpenAI({
    ...(baseURL === undefined ? {} : { baseURL }),
    apiKey: config.mineEmbeddingsApiKey ?? config.judgeApiKey ?? process.env.OPENAI_API_KEY ?? 'none',
    timeout: TIMEOUT_MS,
    maxRetries: 2,
  });
  return {
    model,
    async embed(texts, signal) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const input = texts.slice(start, start + BATCH);
        const answer = await client.embeddings.create({ model, input, encoding_format: 'float' }, { signal });
        const byIndex = new Map(answer.data.map((d) => [d.index, d.embedding]));
        for (let i = 0; i < input.length; i++) {
          const vector = byIndex.get(i);
          if (!Array.isArray(vector) || vector.length === 0 || !vector.every(Number.isFinite)) {
            throw new Error(`the embeddings endpoint gave no vector for input ${start + i}`);
          }
          if (vectors.length > 0 && vector.length !== vectors[0]?.length) {
            throw new Error(`the embeddings endpoint gave vectors of ${vectors[0]?.length} and ${vector.length} dimensions`);
          }
          vectors.push(vector);
        }
      }
      return vectors;
    },
  };
}
