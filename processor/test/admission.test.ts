import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RSS_SAMPLE_MS, WriteAdmission } from '../src/api/admission.ts';
import { UnavailableError } from '../src/api/errors.ts';

const options = { maxConcurrent: 2, maxQueued: 1, queueTimeoutMs: 50, maxPendingBytes: 100, retryAfterSeconds: 7, maxRssBytes: 0, maxEventLoopDelayMs: 0 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('runs up to maxConcurrent writes at once and queues the next', async () => {
  const admission = new WriteAdmission({ ...options, queueTimeoutMs: 10_000 });
  const gates = [deferred(), deferred(), deferred()];
  const order: number[] = [];
  const runs = gates.map((g, k) =>
    admission.run(async () => {
      order.push(k);
      await g.promise;
      return k;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(admission.running, 2);
  assert.equal(admission.queued, 1);
  assert.deepEqual(order, [0, 1]);
  gates[0]!.resolve();
  await runs[0];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(admission.running, 2);
  gates[1]!.resolve();
  gates[2]!.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(admission.running, 0);
});

test('refuses at once with 503 + Retry-After when the queue is full', async () => {
  const admission = new WriteAdmission({ ...options, queueTimeoutMs: 10_000 });
  const gate = deferred();
  const busy = [admission.run(() => gate.promise), admission.run(() => gate.promise), admission.run(() => gate.promise)];
  await new Promise((r) => setImmediate(r));
  assert.throws(() => admission.checkCapacity(), (e: unknown) => e instanceof UnavailableError && e.status === 503 && e.retryAfterSeconds === 7);
  await assert.rejects(admission.run(async () => 1), /overloaded \(1 batches are already waiting/);
  gate.resolve();
  await Promise.all(busy);
});

test('a queued write that waits longer than queueTimeoutMs is refused and leaves the queue', async () => {
  const admission = new WriteAdmission(options);
  const gate = deferred();
  const busy = [admission.run(() => gate.promise), admission.run(() => gate.promise)];
  await assert.rejects(admission.run(async () => 1), /no writer became free within 50 ms/);
  assert.equal(admission.queued, 0);
  gate.resolve();
  await Promise.all(busy);
  assert.equal(await admission.run(async () => 'after'), 'after');
});

test('a failing write frees its slot', async () => {
  const admission = new WriteAdmission(options);
  await assert.rejects(admission.run(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(admission.running, 0);
});

test('body bytes are held against the budget until released', () => {
  const admission = new WriteAdmission(options);
  admission.reserveBytes(60);
  assert.throws(() => admission.reserveBytes(41), /60 bytes of requests are already held in memory/);
  admission.releaseBytes(60);
  admission.reserveBytes(100);
  assert.equal(admission.pendingBytes, 100);
});

test('above maxRssBytes new batches are refused with 503 until memory is back under it, sampled at most every RSS_SAMPLE_MS', () => {
  let rss = 500;
  let now = 0;
  let reads = 0;
  const admission = new WriteAdmission({
    ...options,
    maxRssBytes: 1000,
    rss: () => {
      reads++;
      return rss;
    },
    now: () => now,
  });
  admission.checkCapacity();
  rss = 2000;
  admission.checkCapacity(); // the sample is still the one from time 0
  assert.equal(reads, 1);
  now = RSS_SAMPLE_MS;
  assert.throws(
    () => admission.checkCapacity(),
    (error: unknown) =>
      error instanceof UnavailableError &&
      error.retryAfterSeconds === 7 &&
      /memory use is above 1000 bytes \(FLYWHEEL_MAX_RSS_BYTES\)/.test(error.message),
  );
  assert.equal(admission.rssBytes, 2000);
  rss = 900;
  now = 2 * RSS_SAMPLE_MS;
  admission.checkCapacity();
  assert.equal(reads, 3);
});

test('maxRssBytes 0 never reads the memory', () => {
  const admission = new WriteAdmission({ ...options, rss: () => assert.fail('read') });
  admission.checkCapacity();
});

test('while the event loop is more than maxEventLoopDelayMs behind, new batches are refused with 503', () => {
  let delay = 10;
  const admission = new WriteAdmission({ ...options, maxEventLoopDelayMs: 100, eventLoopDelay: () => delay });
  admission.checkCapacity();
  delay = 150;
  assert.throws(
    () => admission.checkCapacity(),
    (error: unknown) => error instanceof UnavailableError && /event loop is 150 ms behind, more than 100 ms/.test(error.message),
  );
  delay = 100;
  admission.checkCapacity();
});
