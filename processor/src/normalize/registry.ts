// The convention adapters, highest priority first, and how one span is read through them:
// every adapter that matches contributes; a higher adapter's facts win, lower ones fill gaps
// (README, "Compatibility with other instrumentations").
// A peer convention is added as one file exporting name, priority, matches and toSpanFacts,
// imported and listed here.
import type { SpanRecord } from '../otlp/records.ts';
import type { InteractionEvent } from './interaction.ts';
import { type ConventionAdapter, SPAN_FACT_FIELDS, type SpanFacts } from './convention.ts';
import { fillSharedAttributes } from './shared-attributes.ts';
import * as contribOpenai from './contrib-openai.ts';
import * as genaiSemconv from './genai-semconv.ts';
import * as langfuse from './langfuse.ts';
import * as mastra from './mastra.ts';
import * as openinference from './openinference.ts';
import * as openlit from './openlit.ts';
import * as traceloop from './traceloop.ts';
import * as vercelAi from './vercel-ai.ts';

/**
 * Priorities go from the most specific convention to the most generic: a span that carries
 * several conventions (an AI SDK span enriched by @arizeai/openinference-vercel has openinference.*
 * and ai.* keys; every peer's model-call span has gen_ai.* ones) is read first in the more specific.
 */
export const ADAPTERS: readonly ConventionAdapter[] = [
  openinference, mastra, traceloop, langfuse, vercelAi, contribOpenai, openlit, genaiSemconv,
].sort((x, y) => y.priority - x.priority);

export interface SpanReading {
  facts: SpanFacts;
  /** Names of the adapters that matched, highest priority first. */
  conventions: string[];
}

/** The facts of a GenAI span, or null when no adapter recognises the span (HTTP, DB...). */
export function readSpan(span: SpanRecord, events: readonly InteractionEvent[]): SpanReading | null {
  let facts: SpanFacts | null = null;
  const conventions: string[] = [];
  for (const adapter of ADAPTERS) {
    if (!adapter.matches(span)) continue;
    const read = adapter.toSpanFacts(span, events);
    conventions.push(adapter.name);
    if (facts === null) facts = read;
    else fillGaps(facts, read);
  }
  if (facts === null) return null;
  fillSharedAttributes(facts, span);
  return { facts, conventions };
}

function fillGaps(target: SpanFacts, source: SpanFacts): void {
  const writable = target as unknown as Record<keyof SpanFacts, unknown>;
  for (const field of SPAN_FACT_FIELDS) if (target[field] === null) writable[field] = source[field];
}
