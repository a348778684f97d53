// One mining pass: for each agent with new scores (mine_queue), or each agent asked for, assign
// topic clusters to its inputs that have none yet, derive the facts of its interactions that are
// new or changed, read the window once (grouped in SQL by facts and by day, through a cursor),
// tally the segments, mine the patterns and forecast both metrics, then write it all and take
// the agent off the queue in one transaction. A crash before COMMIT leaves the queue rows, so the
// next pass mines the agent again; mining is a recomputation, so doing it twice changes nothing.
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import { lastUserText } from '../score/text.ts';
import { ASSIGN_BATCH, loadClusters, unassignedInputs, writeAssignments, writeClusterCounts } from '../store/mine/clusters.ts';
import { dequeueAgent, type QueuedAgent, queuedAgents } from '../store/mine/queue.ts';
import { type FactScope, readMineGroups, refreshFacts } from '../store/mine/rows.ts';
import { writeForecast, writePatterns } from '../store/mine/patterns.ts';
import { inTransaction } from '../store/transaction.ts';
import type { MineConfig } from './config.ts';
import { DAY_MS, type DailyPoint, type Forecast, forecast } from './forecast.ts';
import { FACT_FIELDS, type MinedPattern, minePatterns, Tally } from './patterns.ts';
import { TopicIndex } from './topics.ts';

const WRITE_TIMEOUT_MS = 60_000;

export interface AgentResult {
  projectId: number;
  agent: string;
  interactions: number;
  /** Inputs given a topic cluster by this pass. */
  topicsAssigned: number;
  /** Interactions whose facts this pass derived (new, or changed since the last pass). */
  factsRefreshed: number;
  patterns: MinedPattern[];
  found: number;
  resolved: number;
  reopened: number;
  forecasts: { accuracy: Forecast; satisfaction: Forecast };
  ms: number;
}

/**
 * Mines one agent of one project and writes the results. `upTo` is the queue id up to which the
 * agent's queued interactions are taken (their facts derived) and deleted; with `all`, the facts
 * and topics of every interaction of the window are derived again (history scored before mining
 * existed, or after changing what a fact is).
 */
export async function mineAgent(
  pool: pg.Pool, config: MineConfig, projectId: number, agent: string, upTo: string | null, now: Date,
  options: { all?: boolean; signal?: AbortSignal } = {},
): Promise<AgentResult | null> {
  const { signal } = options;
  const scope: FactScope = options.all === true ? 'all' : { queuedUpTo: upTo };
  const started = performance.now();
  const tally = new Tally();
  const accuracy: DailyPoint[] = [];
  const satisfaction: DailyPoint[] = [];
  const since = new Date(now.getTime() - config.mineWindowDays * DAY_MS);
  const topics = await assignTopics(pool, projectId, agent, since, scope);
  const refreshed = await refreshFacts(pool, projectId, agent, since, scope);
  const { interactions } = await readMineGroups(
    pool,
    { projectId, agent, since, successMin: config.mineSuccessMin, failureMax: config.mineFailureMax },
    {
      group: (facts, group) => tally.addGroup(facts, group),
      day: (a, s) => {
        if (a !== null) accuracy.push(a);
        satisfaction.push(s);
      },
    },
    signal,
  );
  if (signal?.aborted) return null;
  const patterns = minePatterns(agent, tally, { minSupport: config.mineMinSupport, fdr: config.mineFdr, minLift: config.mineMinLift });
  const horizon = { horizonDays: config.forecastHorizonDays, now: now.getTime() };
  const forecasts = {
    accuracy: forecast(accuracy, { ...horizon, threshold: config.forecastAccuracyMin }),
    satisfaction: forecast(satisfaction, { ...horizon, threshold: config.forecastSatisfactionMin }),
  };
  const written = await inTransaction(pool, WRITE_TIMEOUT_MS, async (client) => {
    const result = await writePatterns(client, projectId, agent, patterns, now);
    await writeForecast(client, projectId, agent, 'accuracy', forecasts.accuracy, now);
    await writeForecast(client, projectId, agent, 'satisfaction', forecasts.satisfaction, now);
    await writeClusterCounts(client, projectId, agent, tally.countsOf(FACT_FIELDS.topic).map((c) => ({ id: c.value, ...c })));
    await dequeueAgent(client, projectId, agent, upTo);
    return result;
  });
  return { projectId, agent, interactions, topicsAssigned: topics, factsRefreshed: refreshed, patterns, ...written, forecasts, ms: performance.now() - started };
}

/** Assigns the agent's inputs in scope that have no topic yet to clusters, a batch at a time; returns how many. */
async function assignTopics(pool: pg.Pool, projectId: number, agent: string, since: Date, scope: FactScope): Promise<number> {
  let assigned = 0;
  for (;;) {
    const inputs = await unassignedInputs(pool, projectId, agent, since, scope);
    if (inputs.length === 0) return assigned;
    const index = new TopicIndex(agent, await loadClusters(pool, projectId, agent));
    const assignments = inputs.map((i) => ({ id: i.id, cluster: index.assign(i.id, lastUserText(i.input)) }));
    await inTransaction(pool, WRITE_TIMEOUT_MS, (client) => writeAssignments(client, projectId, agent, assignments, index.clusters));
    assigned += inputs.length;
    if (inputs.length < ASSIGN_BATCH) return assigned;
  }
}

/** A pass over the queued agents (or the given ones); returns each agent's result. */
export async function minePass(
  pool: pg.Pool, config: MineConfig, log: Logger, signal: AbortSignal, agents?: readonly QueuedAgent[], options: { all?: boolean; now?: Date } = {},
): Promise<AgentResult[]> {
  const now = options.now ?? new Date();
  const results: AgentResult[] = [];
  for (const queued of agents ?? (await queuedAgents(pool))) {
    if (signal.aborted) break;
    const result = await mineAgent(pool, config, queued.projectId, queued.agent, queued.upTo, now, { all: options.all === true, signal });
    if (result === null) break;
    results.push(result);
    log.debug(
      `mined ${result.agent} (project ${result.projectId}): ${result.interactions} interactions, ${result.patterns.length} patterns ` +
        `(${result.found} new, ${result.resolved} resolved) in ${Math.round(result.ms)} ms`,
    );
  }
  return results;
}
