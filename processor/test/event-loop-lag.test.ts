import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchEventLoopLag } from '../src/runtime/event-loop-lag.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a blocked event loop shows as lag for a while, then the lag falls back', async () => {
  const lag = watchEventLoopLag();
  try {
    await sleep(100);
    const busyUntil = performance.now() + 300;
    while (performance.now() < busyUntil) {
      // a synchronous block of 300 ms
    }
    assert.ok(lag.value() >= 250, `lag ${lag.value()} right after the block`);
    await sleep(60);
    assert.ok(lag.value() >= 250, `lag ${lag.value()} shortly after the block`);
    await sleep(1300);
    assert.ok(lag.value() < 250, `lag ${lag.value()} once two windows have passed`);
  } finally {
    lag.stop();
  }
});
