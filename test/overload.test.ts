// Sustained load above capacity, from the bounded, self-stopping load generator on loopback,
// against the processor as its own process with small writer limits: below capacity every batch
// is stored; above it the processor sheds with 503 + Retry-After, its resident memory stays
// under FLYWHEEL_MAX_RSS_BYTES, /healthz stays fast; when the load drops, throughput recovers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from './harness.ts';
import { offerLoad, percentile, watchRss } from './load-generator.ts';
import { type ChildProcessor, spawnProcessor, stopChild } from './processor-child.ts';

const MAX_RSS_BYTES = 384 * 1024 * 1024;

let postgres: TestPostgres;
let pool: pg.Pool;
let processor: ChildProcessor;
before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  processor = await spawnProcessor(postgres.url, {
    FLYWHEEL_MAX_CONCURRENT_WRITES: '1',
    FLYWHEEL_MAX_QUEUED_WRITES: '2',
    FLYWHEEL_QUEUE_TIMEOUT_MS: '300',
    FLYWHEEL_RETRY_AFTER_SECONDS: '1',
    FLYWHEEL_MAX_RSS_BYTES: String(MAX_RSS_BYTES),
    FLYWHEEL_LOG_LEVEL: 'info',
  });
});
after(async () => {
  await stopChild(processor);
  await pool.end();
  await postgres.destroy();
});

test('above capacity the processor sheds with 503 + Retry-After, memory and /healthz stay bounded, and it recovers', async (t) => {
  const rss = watchRss(processor.child.pid!);
  const below = await offerLoad(processor.url, { ratePerSecond: 10, durationMs: 1500, maxInFlight: 8, turnsPerBatch: 5 });
  assert.deepEqual(below.statuses, { 200: below.offered }, 'below capacity everything is accepted');

  // Capacity as this machine has it now: one batch at a time, back to back. The overload is four
  // times that, so it is above capacity on a quiet machine and a busy one alike.
  const capacity = await offerLoad(processor.url, { ratePerSecond: 10_000, durationMs: 1000, maxInFlight: 1, turnsPerBatch: 5 });
  assert.deepEqual(Object.keys(capacity.statuses), ['200'], JSON.stringify(capacity.statuses));
  const batchesPerSecond = (capacity.statuses['200'] ?? 0) / (capacity.elapsedMs / 1000);
  const over = await offerLoad(processor.url, {
    ratePerSecond: Math.max(150, Math.ceil(4 * batchesPerSecond)), durationMs: 3000, maxInFlight: 64, turnsPerBatch: 5, healthEveryMs: 50,
  });
  const shed = over.statuses['503'] ?? 0;
  assert.ok(shed > 0 && over.shedFraction > 0.3, `shed ${shed} of ${over.offered}: ${JSON.stringify(over.statuses)}`);
  assert.equal(over.shedWithoutRetryAfter, 0, 'every shed answer says when to retry');
  assert.deepEqual(Object.keys(over.statuses).sort(), ['200', '503'], JSON.stringify(over.statuses));
  assert.ok((over.statuses['200'] ?? 0) > 0, 'it keeps storing at capacity while it sheds');
  assert.ok(over.healthLatencyMs.length > 10, `${over.healthLatencyMs.length} probes`);
  // Loose bounds: the probes go out from the load generator's own busy event loop, on cores
  // shared with the processor and Postgres; /healthz itself waits for no writer or connection.
  const healthP50 = percentile(over.healthLatencyMs, 50);
  const healthP99 = percentile(over.healthLatencyMs, 99);
  assert.ok(healthP50 < 300, `/healthz p50 ${healthP50.toFixed(0)} ms under overload`);
  assert.ok(healthP99 < 1500, `/healthz p99 ${healthP99.toFixed(0)} ms under overload`);

  const after = await offerLoad(processor.url, { ratePerSecond: 10, durationMs: 2000, maxInFlight: 8, turnsPerBatch: 5 });
  const lastRefused = after.timeline.filter((a) => a.status !== 200).at(-1);
  const recoveryMs = lastRefused ? lastRefused.at - (after.timeline[0]?.at ?? 0) : 0;
  assert.ok(recoveryMs < 1500, `recovered after ${recoveryMs.toFixed(0)} ms`);
  assert.ok((after.statuses['200'] ?? 0) >= after.offered - 3, JSON.stringify(after.statuses));
  const memory = rss.stop();
  assert.ok(memory.samples > 20);
  assert.ok(memory.peak < MAX_RSS_BYTES, `peak RSS ${memory.peak}`);
  assert.equal(processor.child.exitCode, null);

  // Everything acknowledged is stored.
  const accepted = below.acceptedSpans + capacity.acceptedSpans + over.acceptedSpans + after.acceptedSpans;
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM spans');
  assert.equal(rows[0]!.n, accepted);
  t.diagnostic(
    `below: ${below.acceptedSpansPerSecond.toFixed(0)} spans/s; capacity ${batchesPerSecond.toFixed(0)} batches/s; over: ${over.offered} offered, ${JSON.stringify(over.statuses)}, ` +
      `shed ${(over.shedFraction * 100).toFixed(0)}%, ${over.acceptedSpansPerSecond.toFixed(0)} spans/s stored, /healthz p50 ` +
      `${healthP50.toFixed(1)} ms p99 ${healthP99.toFixed(1)} ms; recovery ${recoveryMs.toFixed(0)} ms; ` +
      `peak RSS ${(memory.peak / 2 ** 20).toFixed(0)} MiB`,
  );
});
