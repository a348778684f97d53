// Bounded in-flight work for the OTLP receiver: at most `maxConcurrent` batches are written
// at once, at most `maxQueued` wait for a turn (each at most `queueTimeoutMs`), and request
// bodies held in memory stay under `maxPendingBytes`. Past any bound the caller gets an
// UnavailableError (503 + Retry-After) at once instead of an ever-growing queue. While the
// process's resident memory is above `maxRssBytes` (sampled at most every RSS_SAMPLE_MS), new
// batches are refused the same way, so a burst of load cannot grow the heap without bound;
// and while the event loop is more than `maxEventLoopDelayMs` behind, so that health checks and
// the REST API keep answering when the CPU cannot keep up with the batches.
import type { ApiConfig } from './config.ts';
import { UnavailableError } from './errors.ts';

export interface AdmissionOptions {
  maxConcurrent: number;
  maxQueued: number;
  queueTimeoutMs: number;
  maxPendingBytes: number;
  retryAfterSeconds: number;
  /** 0: no memory bound. */
  maxRssBytes: number;
  /** The process's resident set size in bytes (process.memoryUsage.rss; a stand-in in unit tests). */
  rss?: () => number;
  /** 0: no bound on the event loop's delay. */
  maxEventLoopDelayMs: number;
  /** How many milliseconds the event loop is behind (runtime/event-loop-lag.ts; a stand-in in unit tests). */
  eventLoopDelay?: () => number;
  /** Milliseconds since some origin (performance.now; a stand-in in unit tests). */
  now?: () => number;
}

/** How often the resident set size is read again, at most. */
export const RSS_SAMPLE_MS = 100;

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

/** The admission limits the api settings slice configures (FLYWHEEL_MAX_CONCURRENT_WRITES and the rest). */
export function admissionOptionsOf(config: ApiConfig, eventLoopDelay?: () => number): AdmissionOptions {
  return {
    maxConcurrent: config.maxConcurrentWrites,
    maxQueued: config.maxQueuedWrites,
    queueTimeoutMs: config.queueTimeoutMs,
    maxPendingBytes: config.maxPendingBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    maxRssBytes: config.maxRssBytes,
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    ...(eventLoopDelay ? { eventLoopDelay } : {}),
  };
}

export class WriteAdmission {
  readonly #options: AdmissionOptions;
  #running = 0;
  #pendingBytes = 0;
  readonly #queue: Waiter[] = [];
  readonly #rss: () => number;
  readonly #now: () => number;
  #rssSample = 0;
  #rssSampledAt = -Infinity;

  constructor(options: AdmissionOptions) {
    this.#options = options;
    this.#rss = options.rss ?? (() => process.memoryUsage.rss());
    this.#now = options.now ?? (() => performance.now());
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The resident set size last sampled (bytes). */
  get rssBytes(): number {
    return this.#rssSample;
  }

  /** Fails fast before a body is read when the queue is already full or memory is above its bound. */
  checkCapacity(): void {
    this.#checkMemory();
    this.#checkEventLoop();
    if (this.#running >= this.#options.maxConcurrent && this.#queue.length >= this.#options.maxQueued) {
      throw this.#overloaded(`${this.#queue.length} batches are already waiting to be written`);
    }
  }

  #checkEventLoop(): void {
    const { maxEventLoopDelayMs, eventLoopDelay } = this.#options;
    if (maxEventLoopDelayMs === 0 || !eventLoopDelay) return;
    const delay = eventLoopDelay();
    if (delay > maxEventLoopDelayMs) {
      throw this.#overloaded(`its event loop is ${Math.round(delay)} ms behind, more than ${maxEventLoopDelayMs} ms (FLYWHEEL_MAX_EVENT_LOOP_DELAY_MS)`);
    }
  }

  #checkMemory(): void {
    if (this.#options.maxRssBytes === 0) return;
    const now = this.#now();
    if (now - this.#rssSampledAt >= RSS_SAMPLE_MS) {
      this.#rssSample = this.#rss();
      this.#rssSampledAt = now;
    }
    if (this.#rssSample > this.#options.maxRssBytes) {
      throw this.#overloaded(`its memory use is above ${this.#options.maxRssBytes} bytes (FLYWHEEL_MAX_RSS_BYTES)`);
    }
  }

  /** Counts body bytes against the memory budget; throws when it is spent. */
  reserveBytes(bytes: number): void {
    if (this.#pendingBytes + bytes > this.#options.maxPendingBytes) {
      throw this.#overloaded(`${this.#pendingBytes} bytes of requests are already held in memory`);
    }
    this.#pendingBytes += bytes;
  }

  releaseBytes(bytes: number): void {
    this.#pendingBytes = Math.max(0, this.#pendingBytes - bytes);
  }

  /** Runs `write` when a writer is free; throws UnavailableError if none frees up in time. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await write();
    } finally {
      this.#release();
    }
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.#options.maxConcurrent) {
      this.#running++;
      return;
    }
    this.checkCapacity();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          reject(this.#overloaded(`no writer became free within ${this.#options.queueTimeoutMs} ms`));
        }, this.#options.queueTimeoutMs),
      };
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    // The slot passes straight to the next waiter, so `running` stays the same.
    if (next) next.admit();
    else this.#running--;
  }

  #overloaded(why: string): UnavailableError {
    return new UnavailableError(`the processor is overloaded (${why}); retry later`, this.#options.retryAfterSeconds);
  }
}
