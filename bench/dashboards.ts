// Dashboard query benchmark, in one run on one embedded Postgres: every SQL query of the
// dashboards (dashboards/src), expanded as Grafana expands it for the last 7 days at a 1h
// interval and all agents, over N scored interactions spread over 28 days (bench/mine-history.ts);
// against it, as the baseline, one plain read of the same 7 days of interactions joined to their
// scores through the table's time index (count and mean satisfaction). Prints each query's time
// (median of 3 runs) and its ratio to the baseline, slowest first.
//   npm run bench:dashboards [-- --interactions 200000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { expandSql, type SqlContext } from '../dashboards/src/grafana-sql.ts';
import { renderDashboards } from '../dashboards/src/index.ts';
import { dashboardQueries } from '../dashboards/src/queries.ts';
import { silentLogger } from '../processor/src/runtime/logger.ts';
import { startEmbeddedPostgres } from '../processor/src/store/database.ts';
import { migrate } from '../processor/src/store/migrate.ts';
import { freePort } from '../test/harness.ts';
import { generateMineHistory } from './mine-history.ts';

const { values: args } = parseArgs({ options: { interactions: { type: 'string', default: '200000' } } });
const N = Number(args.interactions);
const DAY_MS = 86_400_000;
const RUNS = 3;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function median(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await pool.query(sql, params);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-bench-dash-'));
  const postgres = await startEmbeddedPostgres(dir, await freePort(), silentLogger);
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  try {
    await migrate(pool);
    log(`generating ${N} scored interactions in SQL...`);
    await generateMineHistory(pool, N, 'bench-agent', log);
    await pool.query('ANALYZE');
    const to = new Date();
    const from = new Date(to.getTime() - 7 * DAY_MS);
    const { rows: agents } = await pool.query<{ agent: string }>(`SELECT agent FROM flywheel_agents WHERE project = 'bench'`);
    const context: SqlContext = {
      from,
      to,
      interval: '1h',
      variables: {
        project: { value: 'bench' },
        agent: { value: agents.map((a) => a.agent), multi: true },
        search: { value: '' },
        processor: { value: 'http://localhost:4318' },
      },
    };
    const { rows: project } = await pool.query<{ id: number }>(`SELECT id FROM projects WHERE name = 'bench'`);
    const nano = (at: Date) => (BigInt(at.getTime()) * 1_000_000n).toString();
    const baseline = await median(
      pool,
      `SELECT count(*), avg(s.satisfaction) FROM interactions i
       JOIN interaction_scores s ON s.project_id = i.project_id AND s.interaction_id = i.id
       WHERE i.project_id = $1 AND i.start_time_unix_nano >= $2::bigint AND i.start_time_unix_nano < $3::bigint`,
      [project[0]!.id, nano(from), nano(to)],
    );
    const { rows: inRange } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM interactions WHERE start_time >= $1 AND start_time < $2`, [from, to],
    );
    const results: { name: string; ms: number }[] = [];
    for (const query of [...renderDashboards().values()].flatMap((text) => dashboardQueries(JSON.parse(text)))) {
      if (query.kind !== 'sql') continue;
      results.push({ name: query.name, ms: await median(pool, expandSql(query.text, context)) });
    }
    results.sort((a, b) => b.ms - a.ms);
    process.stdout.write(`${N} interactions over 28 days, ${inRange[0]!.n} in the 7-day range; median of ${RUNS} runs\n`);
    process.stdout.write(`baseline (indexed read of the range, joined to scores): ${baseline.toFixed(1)} ms\n`);
    for (const r of results) process.stdout.write(`${r.ms.toFixed(1).padStart(9)} ms  ${(r.ms / baseline).toFixed(2).padStart(6)}x  ${r.name}\n`);
    const total = results.reduce((sum, r) => sum + r.ms, 0);
    process.stdout.write(`all ${results.length} queries: ${total.toFixed(0)} ms, ${(total / baseline).toFixed(1)}x the baseline\n`);
  } finally {
    await pool.end();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
