// One mining pass: for each agent with new scores (mine_queue), or each agent asked for, assign
// topic clusters to its inputs that have none yet, derive the facts of its interactions that are
// new or changed, read the window once (grouped in SQL by facts and by day, through a cursor),
// tally the segments, mine the patterns and forecast both metrics, then write it all and take
// the agent off the queue in one transaction. A crash before COMMIT leaves the queue rows, so the
// next pass mines the agent again; mining is a recomputation, so doing it twice changes nothing.
import type pg from 'pg';
import type { Logger } from '../runtime/logger.ts';
import type { Message } from '../normalize/index.ts';
import type { StructuredCaller } from '../score/judge.ts';
import { answerText, lastUserText } from '../score/text.ts';
import { ASSIGN_BATCH, loadClusters, unassignedInputs, type WrittenCluster, writeAssignments, writeClusterCounts } from '../store/mine/clusters.ts';
import { dequeueAgent, type QueuedAgent, queuedAgents } from '../store/mine/queue.ts';
import { type FactScope, readMineGroups, refreshFacts } from '../store/mine/rows.ts';
import { patternsToSummarize, writeForecast, writePatterns, writeSummary } from '../store/mine/patterns.ts';
import { inTransaction } from '../store/transaction.ts';
import type { MineConfig } from './config.ts';
import { DAY_MS, type DailyPoint, type Forecast, forecast } from './forecast.ts';
import { FACT_FIELDS, type MinedPattern, minePatterns, Tally } from './patterns.ts';
import { summaryMessages, summarySchema } from './summaries.ts';
import { TopicIndex } from './topics.ts';
import { EmbeddingIndex } from './embedding-topics.ts';
import type { Embedder } from './embedder.ts';

const WRITE_TIMEOUT_MS = 60_000;

export interface AgentResult {
  projectId: number;
  agent: string;
  interactions: number;
  /** Inputs given a topic cluster by this pass. */
  topicsAssigned: number;
  /** Interactions whose facts this pass derived (new, or changed since the last pass). */
  factsRefreshed: number;
  /** Patterns the judge model summarised in this pass. */
  summarized: number;
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
  options: { all?: boolean; signal?: AbortSignal; summarizer?: StructuredCaller | undefined; embedder?: Embedder | undefined; log?: Logger } = {},
): Promise<AgentResult | null> {
  const { signal } = options;
  const scope: FactScope = options.all === true ? 'all' : { queuedUpTo: upTo };
  const started = performance.now();
  const tally = new Tally();
  const accuracy: DailyPoint[] = [];
  const satisfaction: DailyPoint[] = [];
  const since = new Date(now.getTime() - config.mineWindowDays * DAY_MS);
  const topics = await assignTopics(pool, config, projectId, agent, since, scope, options.embedder, options.log, signal);
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
  const summarized = options.summarizer === undefined ? 0 : await summarize(pool, options.summarizer, projectId, agent, options.log, signal);
  return { projectId, agent, interactions, topicsAssigned: topics, factsRefreshed: refreshed, summarized, patterns, ...written, forecasts, ms: performance.now() - started };
}

/** Open patterns summarised by the judge model per agent and pass, at most: a bounded cost per pass. */
const SUMMARIES_PER_PASS = 5;

/**
 * Asks the judge model for a summary and a recommendation of the agent's open patterns that have
 * none yet; returns how many it wrote. A failed call is logged and left for the next pass.
 */
async function summarize(
  pool: pg.Pool, summarizer: StructuredCaller, projectId: number, agent: string, log: Logger | undefined, signal: AbortSignal | undefined,
): Promise<number> {
  let written = 0;
  for (const p of await patternsToSummarize(pool, projectId, agent, SUMMARIES_PER_PASS)) {
    if (signal?.aborted) break;
    const examples = p.examples.map((e) => ({ question: lastUserText(e.input as Message[] | null), answer: answerText(e.response as Message[] | null) }));
    try {
      const { value } = await summarizer.call(summarySchema, 'pattern_summary', summaryMessages({ ...p, examples }), signal);
      await writeSummary(pool, projectId, p.id, value.summary, value.recommendation);
      written++;
    } catch (error) {
      log?.warn(`summary of pattern ${p.id} (${agent}: ${p.label}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return written;
}

/**
 * Assigns the agent's inputs in scope that have no topic yet to clusters, a batch at a time;
 * returns how many. With an embedder, by embedding; a batch whose embeddings fail is logged and
 * clustered by MinHash instead, so an unreachable endpoint never stops mining.
 */
async function assignTopics(
  pool: pg.Pool, config: MineConfig, projectId: number, agent: string, since: Date, scope: FactScope,
  embedder: Embedder | undefined, log: Logger | undefined, signal: AbortSignal | undefined,
): Promise<number> {
  let assigned = 0;
  for (;;) {
    const inputs = await unassignedInputs(pool, projectId, agent, since, scope);
    if (inputs.length === 0) return assigned;
    const stored = await loadClusters(pool, projectId, agent, embedder?.model);
    const texts = inputs.map((i) => lastUserText(i.input));
    const vectors = embedder === undefined ? null : await embeddingsOf(embedder, texts, agent, log, signal);
    const words = new TopicIndex(agent, stored.minhash);
    const embeddings = new EmbeddingIndex(agent, stored.embedding, config.mineEmbeddingsSimilarity);
    const assignments = inputs.map((input, i) => {
      const text = texts[i] ?? null;
      const vector = vectors?.[i];
      // An input without words has no vector worth comparing either: both leave it unassigned.
      const cluster = vector === undefined || text === null || text.trim() === '' ? words.assign(input.id, text) : embeddings.assign(input.id, text, vector);
      return { id: input.id, cluster };
    });
    const written: WrittenCluster[] = [
      ...words.clusters.map((c) => ({ ...c, method: 'minhash' as const })),
      ...(embedder === undefined ? [] : embeddings.clusters.map((c) => ({ ...c, method: 'embedding' as const, model: embedder.model }))),
    ];
    await inTransaction(pool, WRITE_TIMEOUT_MS, (client) => writeAssignments(client, projectId, agent, assignments, written));
    assigned += inputs.length;
    if (inputs.length < ASSIGN_BATCH) return assigned;
  }
}

/** The inputs' vectors (an empty text is sent as a space), or null when the endpoint failed. */
async function embeddingsOf(
  embedder: Embedder, texts: readonly (string | null)[], agent: string, log: Logger | undefined, signal: AbortSignal | undefined,
): Promise<number[][] | null> {
  try {
    return await embedder.embed(texts.map((t) => (t === null || t.trim() === '' ? ' ' : t)), signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    log?.warn(`embeddings of ${texts.length} inputs of ${agent} (${embedder.model}) failed, clustered by MinHash instead: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** A pass over the queued agents (or the given ones); returns each agent's result. */
export async function minePass(
  pool: pg.Pool, config: MineConfig, log: Logger, signal: AbortSignal, agents?: readonly QueuedAgent[],
  options: { all?: boolean; now?: Date; summarizer?: StructuredCaller | undefined; embedder?: Embedder | undefined } = {},
): Promise<AgentResult[]> {
  const now = options.now ?? new Date();
  const results: AgentResult[] = [];
  for (const queued of agents ?? (await queuedAgents(pool))) {
    if (signal.aborted) break;
    const result = await mineAgent(pool, config, queued.projectId, queued.agent, queued.upTo, now, {
      all: options.all === true, signal, summarizer: options.summarizer, embedder: options.embedder, log,
    });
    if (result === null) break;
    results.push(result);
    log.debug(
      `mined ${result.agent} (project ${result.projectId}): ${result.interactions} interactions, ${result.patterns.length} patterns ` +
        `(${result.found} new, ${result.resolved} resolved) in ${Math.round(result.ms)} ms`,
    );
  }
  return results;
}
