// Overload benchmark: the processor (a child process, default settings) on an embedded
// Postgres, driven by the bounded, self-stopping load generator (test/load-generator.ts) in four
// phases of the same length: (1) capacity: as fast as a fixed number of clients can get batches
// accepted, which is the max sustained rate and the baseline; (2) 80% of it, open loop; (3) an
// overload of several times it, open loop; (4) half of it again. Prints the max sustained spans/s,
// the goodput under overload and its ratio to the baseline, the shed fraction, the peak RSS,
// /healthz latency and the recovery time. A warm-up of two seconds at a low rate comes first.
// Settings of the processor come from the environment, e.g.
// FLYWHEEL_MAX_EVENT_LOOP_DELAY_MS=250 npm run bench:overload to see the event-loop bound at work.
//   npm run bench:overload [-- --seconds 5 --factor 3 --turns 25 --clients 32]
import { parseArgs } from 'node:util';
import { startPostgres } from '../test/harness.ts';
import { type LoadResult, offerLoad, percentile, watchRss } from '../test/load-generator.ts';
import { startProcessorProcess } from './processor-process.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    factor: { type: 'string', default: '3' },
    turns: { type: 'string', default: '25' },
    clients: { type: 'string', default: '32' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:overload [-- --seconds S --factor F --turns T --clients C]\n');
  process.exit(0);
}
const PHASE_MS = Number(args.seconds) * 1000;
const FACTOR = Number(args.factor);
const TURNS = Number(args.turns);
const CLIENTS = Number(args.clients);
const SPANS_PER_BATCH = TURNS * 4;

const log = (line: string) => process.stderr.write(`${line}\n`);
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const summary = (r: LoadResult) =>
  `${r.offered} batches offered (${r.skipped} skipped by the generator's bound), answers ${JSON.stringify(r.statuses)}, ` +
  `${r.acceptedSpansPerSecond.toFixed(0)} spans/s stored, /healthz p50 ${ms(percentile(r.healthLatencyMs, 50))} p99 ${ms(percentile(r.healthLatencyMs, 99))}`;

const postgres = await startPostgres();
const processor = await startProcessorProcess(postgres.url);
try {
  const rss = watchRss(processor.child.pid!);
  log(`phases of ${PHASE_MS} ms, batches of ${SPANS_PER_BATCH} spans (OTLP/JSON)`);

  await offerLoad(processor.url, { ratePerSecond: 20, durationMs: 2000, maxInFlight: 4, turnsPerBatch: TURNS });
  const capacity = await offerLoad(processor.url, { ratePerSecond: 100_000, durationMs: PHASE_MS, maxInFlight: CLIENTS, turnsPerBatch: TURNS, healthEveryMs: 50 });
  const maxSustained = capacity.acceptedSpansPerSecond;
  const capacityBatches = maxSustained / SPANS_PER_BATCH;
  log(`1. capacity (${CLIENTS} clients back to back): ${summary(capacity)}`);

  const baseline = await offerLoad(processor.url, { ratePerSecond: 0.8 * capacityBatches, durationMs: PHASE_MS, maxInFlight: 512, turnsPerBatch: TURNS, healthEveryMs: 50 });
  log(`2. 80% of capacity: ${summary(baseline)}`);

  const over = await offerLoad(processor.url, { ratePerSecond: FACTOR * capacityBatches, durationMs: PHASE_MS, maxInFlight: 512, turnsPerBatch: TURNS, healthEveryMs: 50 });
  log(`3. ${FACTOR}x capacity: ${summary(over)}`);

  const recovery = await offerLoad(processor.url, { ratePerSecond: 0.5 * capacityBatches, durationMs: PHASE_MS, maxInFlight: 512, turnsPerBatch: TURNS, healthEveryMs: 50 });
  const lastRefused = recovery.timeline.filter((a) => a.status !== 200).at(-1);
  const recoveryMs = lastRefused ? lastRefused.at - (recovery.timeline[0]?.at ?? 0) : 0;
  log(`4. 50% of capacity: ${summary(recovery)}`);
  const memory = rss.stop();

  const missingRetryAfter = [capacity, baseline, over, recovery].reduce((n, r) => n + r.shedWithoutRetryAfter, 0);
  process.stdout.write(
    [
      `max sustained:          ${maxSustained.toFixed(0)} spans/s (baseline)`,
      `at 80% of it:           ${baseline.acceptedSpansPerSecond.toFixed(0)} spans/s stored, shed ${(baseline.shedFraction * 100).toFixed(1)}%`,
      `under ${FACTOR}x overload:     ${over.acceptedSpansPerSecond.toFixed(0)} spans/s stored, shed ${(over.shedFraction * 100).toFixed(1)}% with 503 + Retry-After (${missingRetryAfter} without it)`,
      `goodput ratio:          ${(over.acceptedSpansPerSecond / maxSustained).toFixed(2)} (stored under overload / max sustained)`,
      `/healthz p99:           ${ms(percentile(baseline.healthLatencyMs, 99))} at 80%, ${ms(percentile(over.healthLatencyMs, 99))} under overload`,
      `recovery:               ${recoveryMs.toFixed(0)} ms until every batch at 50% of capacity is accepted`,
      `peak RSS:               ${MiB(memory.peak)} (processor process, ${memory.samples} samples)`,
      '',
    ].join('\n'),
  );
} finally {
  await processor.stop();
  await postgres.destroy();
}
