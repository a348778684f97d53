// Observing an openai `Stream` without consuming it. Every way of reading one (for await,
// tee(), toReadableStream()) goes through its `iterator` property, so that is what is wrapped:
// the first iterator made reports to the observer, chunk by chunk, as the app pulls them;
// any later one (a second iteration, which openai refuses with its own error) is left alone.
// Chunks, errors and early returns pass through unchanged, and the observer can never throw
// into the app's loop.
import { diag } from '@opentelemetry/api';

export interface StreamObserver<T> {
  chunk(value: T): void;
  /** The stream ended normally. */
  end(): void;
  /** Reading failed: connection cut, bad event, API error event. */
  fail(error: unknown): void;
  /** The app stopped early (`break`, `return()`): not an error. */
  abandon(): void;
}

interface IterableStream<T> {
  iterator?: (...args: unknown[]) => AsyncIterator<T>;
}

/** Wraps `stream.iterator`; false when `stream` is not an openai Stream (nothing changed then). */
export function observeStream<T>(stream: unknown, observer: StreamObserver<T>): boolean {
  const target = stream as IterableStream<T> | null;
  const original = target?.iterator;
  if (typeof original !== 'function') return false;
  let observed = false;
  target!.iterator = function (this: unknown, ...args: unknown[]): AsyncIterator<T> {
    const iterator = original.apply(this, args);
    if (observed) return iterator;
    observed = true;
    return new ObservedIterator(iterator, observer);
  };
  return true;
}

/** Hand-written rather than an async generator: one promise per chunk, and `next()` may be called concurrently (tee does). */
class ObservedIterator<T> implements AsyncIterableIterator<T> {
  readonly #inner: AsyncIterator<T>;
  readonly #observer: StreamObserver<T>;
  #settled = false;

  constructor(inner: AsyncIterator<T>, observer: StreamObserver<T>) {
    this.#inner = inner;
    this.#observer = observer;
  }

  next(...args: [] | [unknown]): Promise<IteratorResult<T>> {
    return this.#inner.next(...args).then(this.#onResult, this.#onError);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.#settle('abandon');
    const inner = this.#inner;
    return inner.return ? inner.return(value) : Promise.resolve({ done: true, value: value as T });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#settle('fail', error);
    const inner = this.#inner;
    return inner.throw ? inner.throw(error) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  readonly #onResult = (result: IteratorResult<T>): IteratorResult<T> => {
    if (this.#settled) return result;
    if (result.done) this.#settle('end');
    else {
      try {
        this.#observer.chunk(result.value);
      } catch (err) {
        diag.error('@agent-flywheel/instrumentation: stream chunk not recorded', err);
      }
    }
    return result;
  };

  readonly #onError = (error: unknown): never => {
    this.#settle('fail', error);
    throw error;
  };

  #settle(how: 'end' | 'fail' | 'abandon', error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    try {
      if (how === 'end') this.#observer.end();
      else if (how === 'fail') this.#observer.fail(error);
      else this.#observer.abandon();
    } catch (err) {
      diag.error('@agent-flywheel/instrumentation: stream end not recorded', err);
    }
  }
}
