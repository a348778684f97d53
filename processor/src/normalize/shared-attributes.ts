// Attributes that belong to no tracing convention and so are read on every GenAI span, whichever
// adapter matched it: this project's flywheel.* names and the general OTel user, session and
// error names. They only fill what the adapters left empty.
import type { AttributeValue, SpanRecord } from '../otlp/records.ts';
import type { SpanFacts } from './convention.ts';
import { numberOf, stringListOf, stringOf } from './attribute-values.ts';
import * as semconv from './semconv.ts';

export function fillSharedAttributes(facts: SpanFacts, span: SpanRecord): void {
  const a = span.attributes;
  facts.sessionId ??= stringOf(a[semconv.ATTR_SESSION_ID]);
  facts.userId ??= stringOf(a[semconv.ATTR_USER_ID]) ?? stringOf(a[semconv.ATTR_ENDUSER_ID]);
  facts.errorType ??= stringOf(a[semconv.ATTR_ERROR_TYPE]);
  facts.intent ??= stringOf(a[semconv.ATTR_FLYWHEEL_INTENT]);
  facts.confidence ??= numberOf(a[semconv.ATTR_FLYWHEEL_CONFIDENCE]);
  facts.knowledgeSources ??= stringListOf(a[semconv.ATTR_FLYWHEEL_KNOWLEDGE_SOURCES]);
  facts.promptVersion ??= textOf(a[semconv.ATTR_FLYWHEEL_PROMPT_VERSION]);
  facts.expectedOutput ??= textOf(a[semconv.ATTR_FLYWHEEL_EXPECTED_OUTPUT]);
}

/** A string as is; a number or structured value as its JSON text (a version may be numeric). */
function textOf(value: AttributeValue | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
