// A background loop that a stop() can end promptly: it runs `step` again at once while there is
// work, and waits `idleMs` (cut short by stop) when there is none or the step failed. Every
// worker of every stage (scoring, judging, periodic jobs) is one of these.

export interface Loop {
  /** Ends the loop after the step in progress; resolves when it has ended. */
  stop(): Promise<void>;
}

/**
 * `step` resolves true when it did work (run again at once), false when idle. `idleMs` may be a
 * function, asked each time the loop goes idle (a periodic job sleeps until its next due time).
 */
export function runLoop(step: () => Promise<boolean>, idleMs: number | (() => number), onError: (error: unknown) => void): Loop {
  let stopping = false;
  let wake: (() => void) | null = null;
  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, typeof idleMs === 'number' ? idleMs : idleMs());
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  const running = (async () => {
    while (!stopping) {
      let worked = false;
      try {
        worked = await step();
      } catch (error) {
        onError(error);
      }
      if (!worked && !stopping) await idle();
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
