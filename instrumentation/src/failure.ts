// How a failure is written on a span, the same for model calls, interactions and tools:
// span status ERROR with the message, `error.type` (the exception's class name, low
// cardinality as semconv asks) and an `exception` event.
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ERROR_TYPE_VALUE_OTHER } from './semconv.ts';

export function recordFailure(span: Span, error: unknown, errorType: string = errorTypeOf(error)): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}

/** The class name of what was thrown (e.g. `RateLimitError`), else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ERROR_TYPE_VALUE_OTHER;
  const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : ERROR_TYPE_VALUE_OTHER;
}
