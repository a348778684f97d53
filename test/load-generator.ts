// A bounded, self-stopping open-loop load generator for the OTLP receiver: it offers
// `ratePerSecond` batches a second for `durationMs` (whatever the answers), never more than
// `maxInFlight` at once (an offer that finds them all busy is counted as skipped, not queued),
// and stops by itself. It reports what was answered and how fast, and probes /healthz
// alongside. Used by the overload test and `npm run bench:overload`.
import { readFile } from 'node:fs/promises';
import { agentTurn, tracesRequest } from './otlp-json-builder.ts';

export interface LoadOptions {
  ratePerSecond: number;
  durationMs: number;
  maxInFlight: number;
  /** Agent turns per batch (4 spans each). */
  turnsPerBatch: number;
  /** How often /healthz is probed, in ms (0: not probed). */
  healthEveryMs?: number;
}

export interface LoadResult {
  offered: number;
  skipped: number;
  statuses: Record<string, number>;
  /** Shed answers (429/503) without a Retry-After header. */
  shedWithoutRetryAfter: number;
  acceptedSpans: number;
  /** Spans acknowledged per second of the run. */
  acceptedSpansPerSecond: number;
  /** Fraction of answered requests shed with 429/503. */
  shedFraction: number;
  /** Milliseconds from each accepted request's start to its answer. */
  acceptedLatencyMs: number[];
  healthLatencyMs: number[];
  /** Start time (performance.now) and status of each answer, in order of answer. */
  timeline: { at: number; status: number }[];
  elapsedMs: number;
}

export async function offerLoad(url: string, options: LoadOptions): Promise<LoadResult> {
  const spansPerBatch = options.turnsPerBatch * 4;
  const statuses: Record<string, number> = {};
  const acceptedLatencyMs: number[] = [];
  const healthLatencyMs: number[] = [];
  const timeline: { at: number; status: number }[] = [];
  let offered = 0;
  let skipped = 0;
  let inFlight = 0;
  let acceptedSpans = 0;
  let shedWithoutRetryAfter = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();

  const send = async () => {
    const body = JSON.stringify(tracesRequest(Array.from({ length: options.turnsPerBatch }, () => agentTurn()).flatMap((t) => [t.root, ...t.children])));
    const at = performance.now();
    let status: string;
    try {
      const r = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await r.arrayBuffer();
      status = String(r.status);
      if (r.status === 200) {
        acceptedSpans += spansPerBatch;
        acceptedLatencyMs.push(performance.now() - at);
      } else if ((r.status === 503 || r.status === 429) && !r.headers.get('retry-after')) {
        shedWithoutRetryAfter++;
      }
      timeline.push({ at, status: r.status });
    } catch {
      status = 'connection failed';
      timeline.push({ at, status: 0 });
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  let health: NodeJS.Timeout | undefined;
  if (options.healthEveryMs) {
    health = setInterval(() => {
      const at = performance.now();
      track(
        fetch(`${url}/healthz`).then(
          async (r) => {
            await r.arrayBuffer();
            healthLatencyMs.push(performance.now() - at);
          },
          () => {
            healthLatencyMs.push(Infinity);
          },
        ),
      );
    }, options.healthEveryMs);
  }

  // Offers are due at a steady pace; each tick sends those that are due (the generator keeps
  // its rate even when the processor answers slowly, up to maxInFlight).
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now() - started;
      const due = Math.min(Math.floor((Math.min(now, options.durationMs) * options.ratePerSecond) / 1000), Math.floor((options.durationMs * options.ratePerSecond) / 1000));
      while (offered + skipped < due) {
        if (inFlight >= options.maxInFlight) {
          skipped++;
          continue;
        }
        offered++;
        inFlight++;
        track(send().finally(() => inFlight--));
      }
      if (now >= options.durationMs) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  if (health) clearInterval(health);
  await Promise.all([...pending]);
  const elapsedMs = performance.now() - started;
  const answered = Object.entries(statuses).reduce((n, [s, c]) => (s === 'connection failed' ? n : n + c), 0);
  const shed = (statuses['503'] ?? 0) + (statuses['429'] ?? 0);
  return {
    offered,
    skipped,
    statuses,
    shedWithoutRetryAfter,
    acceptedSpans,
    acceptedSpansPerSecond: acceptedSpans / (Math.min(elapsedMs, options.durationMs) / 1000),
    shedFraction: answered === 0 ? 0 : shed / answered,
    acceptedLatencyMs,
    healthLatencyMs,
    timeline,
    elapsedMs,
  };
}

/** The `p`-th percentile (0..100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Samples a process's resident set size from /proc until stopped; returns the peak in bytes. */
export function watchRss(pid: number, everyMs = 100) {
  let peak = 0;
  let samples = 0;
  const timer = setInterval(() => {
    void readFile(`/proc/${pid}/status`, 'utf8').then(
      (status) => {
        const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
        if (kb > 0) {
          samples++;
          peak = Math.max(peak, kb * 1024);
        }
      },
      () => undefined,
    );
  }, everyMs);
  // A failed test that never calls stop() must not keep the process alive.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return { peak, samples };
    },
  };
}
