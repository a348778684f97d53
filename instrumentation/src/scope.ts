// Running app code inside a span (withInteraction, traceTool): the span is the active one while
// the code runs, and ends when the code is done: at once for a plain value, when a promise
// settles, when an async generator is exhausted or closed. The code's result is returned as it
// is (the same promise object) and what it throws is rethrown unchanged; telemetry happens in
// side chains that can never reject or throw into the app.
import { type Context, type Span, context, diag } from '@opentelemetry/api';
import { recordFailure } from './failure.ts';

/** Runs `fn` in `ctx` (where `span` is active) and ends `span` when fn is done; `onValue` sees its result. */
export function runInSpan<R>(span: Span, ctx: Context, fn: () => R, onValue?: (value: unknown) => void): R {
  let result: R;
  try {
    result = context.with(ctx, fn);
  } catch (error) {
    fail(span, error);
    throw error;
  }
  if (isThenable(result)) {
    result.then(
      (value) => succeed(span, value, onValue),
      (error: unknown) => fail(span, error),
    );
    return result;
  }
  if (isAsyncGenerator(result)) return inSpanGenerator(result, span, ctx) as R;
  succeed(span, result, onValue);
  return result;
}

// Both never throw: they run in side chains whose rejections nobody would handle.

function succeed(span: Span, value: unknown, onValue: ((value: unknown) => void) | undefined): void {
  try {
    onValue?.(value);
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: result not recorded', err);
  }
  end(span);
}

function fail(span: Span, error: unknown): void {
  try {
    recordFailure(span, error);
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: failure not recorded', err);
  }
  end(span);
}

function end(span: Span): void {
  try {
    span.end();
  } catch (err) {
    diag.error('@agent-flywheel/instrumentation: span not ended', err);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

// Only async generators are followed: other async iterables (Node and web streams) have
// methods of their own that a wrapper would hide.
function isAsyncGenerator(value: unknown): value is AsyncGenerator {
  return Object.prototype.toString.call(value) === '[object AsyncGenerator]';
}

/**
 * The generator, with each step run inside the span (so the model calls it makes are children
 * of it, whoever pulls), and the span ended when it finishes, fails or is closed.
 */
function inSpanGenerator<T, TReturn, TNext>(
  generator: AsyncGenerator<T, TReturn, TNext>,
  span: Span,
  ctx: Context,
): AsyncGenerator<T, TReturn, TNext> {
  let ended = false;
  const finish = (error?: unknown, failed = false): void => {
    if (ended) return;
    ended = true;
    if (failed) fail(span, error);
    else end(span);
  };
  const step = (advance: () => Promise<IteratorResult<T, TReturn>>): Promise<IteratorResult<T, TReturn>> => {
    let pending: Promise<IteratorResult<T, TReturn>>;
    try {
      pending = context.with(ctx, advance);
    } catch (error) {
      finish(error, true);
      throw error;
    }
    return pending.then(
      (result) => {
        if (result.done) finish();
        return result;
      },
      (error: unknown) => {
        finish(error, true);
        throw error;
      },
    );
  };
  const wrapped: AsyncGenerator<T, TReturn, TNext> = {
    next: (...args: [] | [TNext]) => step(() => generator.next(...args)),
    return: (value: TReturn | PromiseLike<TReturn>) => step(() => generator.return(value)),
    throw: (error: unknown) => step(() => generator.throw(error)),
    [Symbol.asyncIterator]: () => wrapped,
    [Symbol.asyncDispose]: async () => {
      await wrapped.return(undefined as TReturn);
    },
  };
  return wrapped;
}
