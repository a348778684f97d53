// Embeddings (`client.embeddings.create`) in the GenAI semconv. No content attributes: the
// conventions define none for embedding inputs.
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from './semconv.ts';

interface EmbeddingsParams {
  encoding_format?: unknown;
  dimensions?: unknown;
}

interface EmbeddingsResponse {
  model?: unknown;
  usage?: { prompt_tokens?: unknown } | null;
}

/** Only what the app asked for: openai 5+ sends `base64` by itself when no format is given. */
export function embeddingsRequestAttributes(params: EmbeddingsParams, attributes: Attributes): void {
  if (typeof params.encoding_format === 'string') {
    attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [params.encoding_format];
  }
  if (typeof params.dimensions === 'number') attributes[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = params.dimensions;
}

export function embeddingsResponseAttributes(response: EmbeddingsResponse, attributes: Attributes): void {
  if (typeof response.model === 'string') attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  const tokens = response.usage?.prompt_tokens;
  if (typeof tokens === 'number') attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = tokens;
}
