// How far behind the event loop is: a timer due every SAMPLE_MS notes how late it fired; the
// lag is the worst lateness of the last two windows of WINDOW_MS, so one long block is seen
// for at least one window and forgotten after two. The OTLP receiver sheds load above a bound
// (FLYWHEEL_MAX_EVENT_LOOP_DELAY_MS), which keeps /healthz and the REST API answering when
// decoding and normalizing batches would otherwise take every cycle.

const SAMPLE_MS = 20;
const WINDOW_MS = 500;

export interface EventLoopLag {
  /** Milliseconds the event loop is behind, recently at worst. */
  value(): number;
  stop(): void;
}

export function watchEventLoopLag(now: () => number = () => performance.now()): EventLoopLag {
  let expected = now() + SAMPLE_MS;
  let current = 0;
  let previous = 0;
  let windowStart = now();
  const timer = setInterval(() => {
    const t = now();
    current = Math.max(current, t - expected);
    expected = t + SAMPLE_MS;
    if (t - windowStart >= WINDOW_MS) {
      previous = current;
      current = 0;
      windowStart = t;
    }
  }, SAMPLE_MS);
  timer.unref();
  return {
    value: () => Math.max(current, previous, now() - expected),
    stop: () => clearInterval(timer),
  };
}
