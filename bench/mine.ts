// Mining benchmark, in one run on one embedded Postgres:
// 1. a mining pass (mineAgent: the facts refresh, the grouped read, the tally of every one- and
//    two-fact segment, the tests and corrections, the forecasts, the writes) over N scored
//    interactions of one agent, once cold (every interaction's facts derived) and once as every
//    later pass runs (only new or changed interactions derived),
//    generated in SQL with failure and success modes planted at known rates; against it, as the
//    baseline, one plain `SELECT ... GROUP BY` scan of the same rows (the join of interactions
//    and scores, grouped by intent and model). Prints both times, the ratio (target <= 5) and the
//    peak RSS of this process (target < 1 GB);
// 2. the recall and precision of the planted modes among the patterns the pass reports, and
//    over several seeded in-memory worlds of 100k interactions (target: both >= 0.9).
//   npm run bench:mine [-- --interactions 1000000 --seeds 10]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../processor/src/config/config.ts';
import { factsOf, minePatterns, outcomeOf, Tally } from '../processor/src/mine/patterns.ts';
import { mineAgent } from '../processor/src/mine/worker.ts';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { PLANTED, scorePlanted, world } from '../processor/test/mine-world.ts';
import { freePort } from '../test/harness.ts';
import { generateMineHistory } from './mine-history.ts';

const { values: args } = parseArgs({
  options: {
    interactions: { type: 'string', default: '1000000' },
    seeds: { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write('Usage: npm run bench:mine [-- --interactions N --seeds K]\n');
  process.exit(0);
}
const N = Number(args.interactions);
const SEEDS = Number(args.seeds);
const AGENT = 'bench-agent';
const log = (line: string) => process.stderr.write(`${line}\n`);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-mine-'));
  const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
  const pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  try {
    await migrate(pool);
    log(`generating ${N} scored interactions in SQL...`);
    let t = performance.now();
    await generateMineHistory(pool, N, AGENT, log);
    log(`  in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const { rows } = await pool.query<{ id: number }>("SELECT id FROM projects WHERE name = 'bench'");
    const project = rows[0]?.id as number;

    // Warm the cache alike for both: one throwaway scan.
    await pool.query('SELECT count(*) FROM interactions i JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id');

    t = performance.now();
    const baseline = await pool.query(
      `SELECT i.intent, coalesce(i.response_model, i.request_model) AS model, count(*), avg(s.satisfaction), count(*) FILTER (WHERE s.satisfaction < 0.4)
       FROM interactions i JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       WHERE i.project_id = $1 AND i.agent_name = $2 GROUP BY 1, 2`,
      [project, AGENT],
    );
    const baselineS = (performance.now() - t) / 1000;

    const config = loadConfig({ DATABASE_URL: postgres.url });
    peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    t = performance.now();
    const first = await mineAgent(pool, config, project, AGENT, null, new Date(), { all: true });
    // What autovacuum would do soon after a million new rows: give the planner their statistics.
    await pool.query('ANALYZE mine_facts');
    const firstS = (performance.now() - t) / 1000;
    // The steady state: what every scheduled pass does once the facts of the window are stored.
    t = performance.now();
    const result = await mineAgent(pool, config, project, AGENT, null, new Date());
    const mineS = (performance.now() - t) / 1000;
    if (result === null || first === null) throw new Error('the pass was aborted');
    const planted = scorePlanted(result.patterns, PLANTED);

    log(`recall and precision over ${SEEDS} seeded worlds of 100k interactions...`);
    let recall = 0;
    let precision = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const tally = new Tally();
      for (const i of world({ seed, n: 100_000, planted: true })) tally.add(i.id, outcomeOf(i.satisfaction, 0.8, 0.4), factsOf(i.fields));
      const s = scorePlanted(minePatterns(AGENT, tally, { minSupport: config.mineMinSupport, fdr: config.mineFdr, minLift: config.mineMinLift }), PLANTED);
      recall += s.recall / SEEDS;
      precision += s.precision / SEEDS;
    }

    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    process.stdout.write(
      [
        `mining pass over ${result.interactions} interactions (${baseline.rowCount} intent x model groups in the baseline):`,
        `  baseline SELECT ... GROUP BY scan   ${baselineS.toFixed(2)} s`,
        `  first pass (derives every fact)     ${firstS.toFixed(2)} s (${first.factsRefreshed} interactions' facts derived)`,
        `  mining pass                         ${mineS.toFixed(2)} s (${Math.round(result.interactions / mineS)} interactions/s, ${result.factsRefreshed} facts derived)`,
        `  ratio mining / baseline             ${(mineS / baselineS).toFixed(2)} (target <= 5)`,
        `  peak RSS                            ${mb(peakRss)} (${mb(rssBefore)} before the pass; target < 1024 MB)`,
        `  patterns                            ${result.patterns.length}: ${result.patterns.map((p) => `${p.kind} ${p.label}`).join('; ')}`,
        `  planted modes found in the pass     recall ${planted.recall.toFixed(2)}, precision ${planted.precision.toFixed(2)}`,
        `  over ${SEEDS} in-memory worlds of 100k   recall ${recall.toFixed(2)}, precision ${precision.toFixed(2)} (target >= 0.9 both)`,
        '',
      ].join('\n'),
    );
  } finally {
    clearInterval(sampler);
    await pool.end();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
