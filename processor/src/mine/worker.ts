// One mining pass: for each agent with new scores (mine_queue), or each agent asked for, assign
// topic clusters to its inputs that have none yet, read its scored interactions of the window once (a cursor, bounded memory), tally the segments and the
// daily quality series, mine the patterns and forecast both metrics, then write it all and take
// the agent off the queue in one transaction. A crash before COMMIT leaves the queue rows, so the
// next pass mines the agent again; mining is a recomputation, so doing it twice changes nothing.
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { lastUserText } from '../score/text.ts';
import { loadClusters, unassignedInputs, writeAssignments, writeClusterCounts } from '../store/mine/clusters.ts';
import { dequeueAgent, type QueuedAgent, queuedAgents } from '../store/mine/queue.ts';
import { forEachMineRow } from '../store/mine/rows.ts';
import { writeForecast, writePatterns } from '../store/mine/patterns.ts';
import { inTransaction } from '../store/transaction.ts';
import type { MineConfig } from './config.ts';
import { DAY_MS, DailySeries, type Forecast, forecast } from './forecast.ts';
import { FACT_FIELDS, factsOf, type MinedPattern, minePatterns, outcomeOf, Tally } from './patterns.ts';
import { TopicIndex } from './topics.ts';

const WRITE_TIMEOUT_MS = 60_000;

export interface AgentResult {
  projectId: number;
  agent: string;
  interactions: number;
  /** Inputs given a topic cluster by this pass. */
  topicsAssigned: number;
  patterns: MinedPattern[];
  found: number;
  resolved: number;
  reopened: number;
  forecasts: { accuracy: Forecast; satisfaction: Forecast };
  ms: number;
}

/** Mines one agent of one project and writes the results; `upTo` is the queue id to delete up to (null: none). */
export async function mineAgent(
  pool: pg.Pool, config: MineConfig, projectId: number, agent: string, upTo: string | null, now: Date, signal?: AbortSignal,
): Promise<AgentResult | null> {
  const started = performance.now();
  const tally = new Tally();
  const accuracy = new DailySeries();
  const satisfaction = new DailySeries();
  const since = new Date(now.getTime() - config.mineWindowDays * DAY_MS);
  const topics = await assignTopics(pool, projectId, agent, since);
  const interactions = await forEachMineRow(pool, projectId, agent, since, (rows) => {
    for (const row of rows) {
      tally.add(row.id, outcomeOf(row.satisfaction, config.mineSuccessMin, config.mineFailureMax), factsOf(row.fields));
      accuracy.add(row.at, row.accuracy);
      satisfaction.add(row.at, row.satisfaction);
    }
  }, signal);
  if (signal?.aborted) return null;
  const patterns = minePatterns(agent, tally, { minSupport: config.mineMinSupport, fdr: config.mineFdr, minLift: config.mineMinLift });
  const horizon = { horizonDays: config.forecastHorizonDays, now: now.getTime() };
  const forecasts = {
    accuracy: forecast(accuracy.points(), { ...horizon, threshold: config.forecastAccuracyMin }),
    satisfaction: forecast(satisfaction.points(), { ...horizon, threshold: config.forecastSatisfactionMin }),
  };
  const written = await inTransaction(pool, WRITE_TIMEOUT_MS, async (client) => {
    const result = await writePatterns(client, projectId, agent, patterns, now);
    await writeForecast(client, projectId, agent, 'accuracy', forecasts.accuracy, now);
    await writeForecast(client, projectId, agent, 'satisfaction', forecasts.satisfaction, now);
    await writeClusterCounts(client, projectId, agent, tally.countsOf(FACT_FIELDS.topic).map((c) => ({ id: c.value, ...c })));
    await dequeueAgent(client, projectId, agent, upTo);
    return result;
  });
  return { projectId, agent, interactions, topicsAssigned: topics, patterns, ...written, forecasts, ms: performance.now() - started };
}

/** Assigns the agent's inputs that have no topic yet to clusters (a batch per pass); returns how many. */
async function assignTopics(pool: pg.Pool, projectId: number, agent: string, since: Date): Promise<number> {
  const inputs = await unassignedInputs(pool, projectId, agent, since);
  if (inputs.length === 0) return 0;
  const index = new TopicIndex(agent, await loadClusters(pool, projectId, agent));
  const assignments = inputs.map((i) => ({ id: i.id, cluster: index.assign(i.id, lastUserText(i.input)) }));
  await inTransaction(pool, WRITE_TIMEOUT_MS, (client) => writeAssignments(client, projectId, agent, assignments, index.clusters));
  return inputs.length;
}

/** A pass over the queued agents (or the given ones); returns each agent's result. */
export async function minePass(
  pool: pg.Pool, config: MineConfig, log: Logger, signal: AbortSignal, agents?: readonly QueuedAgent[], now = new Date(),
): Promise<AgentResult[]> {
  const results: AgentResult[] = [];
  for (const queued of agents ?? (await queuedAgents(pool))) {
    if (signal.aborted) break;
    const result = await mineAgent(pool, config, queued.projectId, queued.agent, queued.upTo, now, signal);
    if (result === null) break;
    results.push(result);
    log.debug(
      `mined ${result.agent} (project ${result.projectId}): ${result.interactions} interactions, ${result.patterns.length} patterns ` +
        `(${result.found} new, ${result.resolved} resolved) in ${Math.round(result.ms)} ms`,
    );
  }
  return results;
}
