// One simulated run: the world's weeks played against the agent, with the flywheel's loop on
// (the processor ingesting, scoring, mining, committing knowledge and refreshing sources, and
// the agent pulling what it learnt) or off (the agent keeps the knowledge it had at the start,
// and its telemetry goes nowhere). The processor runs on real clocks, so between simulated weeks
// the run waits until every stage has drained its queue: a week's outcome then depends on what
// was sent, not on how fast the machine was.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { type KnowledgeClient, knowledge, recordFeedback } from '@agent-flywheel/instrumentation';
import type OpenAI from 'openai';
import type pg from 'pg';
import { type AgentAnswer, answer, type OrderLookup } from './agent.ts';
import { type Random, randomStream } from './random.ts';
import {
  askQuestion, changes, correctionFor, FACTS, grade, heldOutQuestions, heldOutRating, orderStatus, type PlantedMode,
  type Question, react, rephrase, SOURCES, sourceDocument, toolFails, USERS, valueAt, type Verdict,
} from './world.ts';

export interface SimSettings {
  seed: number;
  /** The agent's name (its knowledge, sources and patterns are kept under it). */
  agent: string;
  weeks: number;
  conversationsPerWeek: number;
}

/** What the loop-on run needs of the processor it talks to. */
export interface LoopDeps {
  url: string;
  /** A pool on the processor's database, to see when its stages have drained their queues. */
  pool: pg.Pool;
  /** Directory the knowledge source documents are published in. */
  sourcesDir: string;
  /** Exports what the instrumentation still holds. */
  flush(): Promise<void>;
}

export interface WeekMetrics {
  week: number;
  accuracy: number;
  satisfaction: number;
  /** Share of held-out answers that gave a value the fact no longer has. */
  superseded: number;
  /** Mean simulated response time of the held-out answers, ms. */
  responseMs: number;
  /** User traffic of the week. */
  turns: number;
  trafficAccuracy: number;
  /** Real wall-clock median of an answer in this run, ms (machine-dependent, not part of the result's identity). */
  wallMedianMs: number;
}

export interface TurnRecord {
  week: number;
  day: number;
  question: Question;
  answer: string;
  verdict: Verdict;
  interactionId: string;
  /** The planted failure mode the turn ran into, if any. */
  mode: PlantedMode | null;
  /** Else, for a wrong answer, the world's own reason: the agent did not know the fact yet, or gave a value it no longer has. */
  cause: 'unknown-fact' | 'changed-fact' | null;
}

export interface RunResult {
  loop: 'on' | 'off';
  weeks: WeekMetrics[];
  /** Per change of a fact: simulated days until the first correct user-facing answer, null when never within the run. */
  daysToCorrect: { factId: string; week: number; days: number | null }[];
  turns: TurnRecord[];
}

/** Simulated latency: a model call, prompt reading, each tool call, and a failed call's timeout. */
export function simulatedResponseMs(a: Pick<AgentAnswer, 'modelCalls' | 'promptChars' | 'toolCalls' | 'toolFailures'>): number {
  return a.modelCalls * 450 + a.promptChars * 0.5 + (a.toolCalls - a.toolFailures) * 150 + a.toolFailures * 2000;
}

function modeOf(question: Question, verdict: Verdict, a: AgentAnswer): PlantedMode | null {
  if (question.wording === 'misrouted') return 'routing';
  if (question.wording === 'slang') return 'rephrasing';
  if (a.toolFailures > 0) return 'failing-tool';
  const fact = FACTS.find((f) => f.id === question.factId);
  if (fact !== undefined && SOURCES.find((s) => s.name === fact.source)?.stale === true && verdict !== 'correct') return 'stale-source';
  return null;
}

function causeOf(mode: PlantedMode | null, verdict: Verdict): TurnRecord['cause'] {
  if (mode !== null || verdict === 'correct') return null;
  return verdict === 'superseded' ? 'changed-fact' : 'unknown-fact';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The URI a source document is registered under. */
export function sourceUri(dir: string, name: string): string {
  return pathToFileURL(path.join(dir, `${name}.md`)).href;
}

/** Writes every document as its publisher has it in `week` (a stale one keeps its week-0 text); each replaced whole, so no read sees half of one. */
export async function publish(dir: string, week: number): Promise<void> {
  for (const s of SOURCES) {
    if (week > 0 && s.stale) continue;
    const file = path.join(dir, `${s.name}.md`);
    await writeFile(`${file}.new`, sourceDocument(s.name, week));
    await rename(`${file}.new`, file);
  }
}

/** Registers the documents as trusted sources of the agent, read every second. */
export async function registerSources(deps: LoopDeps, agent: string): Promise<void> {
  for (const s of SOURCES) {
    const response = await fetch(`${deps.url}/api/sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uri: sourceUri(deps.sourcesDir, s.name), updateFrequency: 1, agent, trusted: true }),
    });
    if (response.status !== 201 && response.status !== 409) throw new Error(`POST /api/sources answered ${response.status}: ${await response.text()}`);
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until the agent's knowledge serves what the documents say in `week`: every section of
 * every document as published then (a read that began before the new text was written saw the
 * old one, so the time of the last read alone does not tell).
 */
export async function sourcesServed(deps: LoopDeps, agent: string, week: number): Promise<void> {
  const expected = SOURCES.flatMap((s) => FACTS.filter((f) => f.source === s.name).flatMap((f) => {
    const value = valueAt(f, s.stale ? 0 : week);
    return value === null ? [] : [f.sentence(value)];
  }));
  for (let i = 0; i < 600; i++) {
    const { items } = (await (await fetch(`${deps.url}/api/knowledge?agent=${encodeURIComponent(agent)}`)).json()) as { items: { content: string; source: string | null }[] };
    const served = new Set(items.filter((item) => item.source?.startsWith(pathToFileURL(deps.sourcesDir).href)).map((item) => item.content.trim()));
    if (expected.every((sentence) => served.has(sentence))) return;
    await sleep(100);
  }
  throw new Error('the knowledge sources were not read within 60 s');
}

/** Waits until scoring, knowledge and mining have nothing queued, twice in a row. */
async function drained(deps: LoopDeps): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 1200; i++) {
    const { rows } = await deps.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM score_queue) + (SELECT count(*) FROM knowledge_queue) + (SELECT count(*) FROM mine_queue) AS n`,
    );
    quiet = Number(rows[0]?.n) === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return;
    await sleep(quiet > 0 ? 600 : 150);
  }
  throw new Error('the processor did not drain its queues within 4 minutes');
}

export async function pull(url: string, agent: string): Promise<KnowledgeClient> {
  const client = knowledge({ agent, url, refreshMs: 3_600_000 });
  if (!(await client.ready())) throw new Error(`GET ${url}/api/knowledge did not answer`);
  client.close();
  return client;
}

function orderSystem(seed: number, week: number, questionId: string): OrderLookup {
  return async (orderId, attempt) => {
    if (toolFails(seed, questionId, attempt)) throw new Error('order backend timed out');
    return { orderId, status: orderStatus(orderId, week, seed) };
  };
}

/**
 * Plays the weeks. `initial` is the agent's knowledge at the start (the sources' first read);
 * with `loop` the processor learns from the traffic and the agent pulls at each week's start and end.
 */
export async function runWeeks(
  settings: SimSettings,
  client: OpenAI,
  initial: KnowledgeClient,
  loop: LoopDeps | null,
  log: (line: string) => void = () => undefined,
): Promise<RunResult> {
  const { seed, weeks, conversationsPerWeek } = settings;
  let learned = initial;
  const turns: TurnRecord[] = [];
  const metrics: WeekMetrics[] = [];
  const wall: number[] = [];
  const ask = (q: Question, userId: string, conversationId: string, week: number) =>
    answer(client, learned, orderSystem(seed, week, q.id), { agent: settings.agent, question: q.text, userId, conversationId });
  // Without the loop nothing is sent: no stage would read it.
  const quietly = <T>(fn: () => Promise<T>): Promise<T> => (loop === null ? context.with(suppressTracing(context.active()), fn) : fn());

  for (let week = 0; week < weeks; week++) {
    if (loop !== null && week > 0) {
      await publish(loop.sourcesDir, week);
      await sourcesServed(loop, settings.agent, week);
      learned = await pull(loop.url, settings.agent);
    }
    let weekTurns = 0;
    let weekCorrect = 0;
    for (let c = 0; c < conversationsPerWeek; c++) {
      const asking = randomStream(seed, `ask:${week}:${c}`);
      const reacting: Random = randomStream(seed, `react:${week}:${c}`);
      const userId = `u-${asking.int(USERS)}`;
      const conversationId = `s${seed}-w${week}-c${c}`;
      const day = week * 7 + Math.floor((c * 7) / conversationsPerWeek);
      let question = askQuestion(asking, week, `w${week}-c${c}-t0`);
      for (let t = 0; t < 3; t++) {
        const started = performance.now();
        const a = await quietly(() => ask(question, userId, conversationId, week));
        wall.push(performance.now() - started);
        const verdict = grade(question, a.text, week, seed);
        const mode = modeOf(question, verdict, a);
        turns.push({ week, day, question, answer: a.text, verdict, interactionId: a.interactionId, mode, cause: causeOf(mode, verdict) });
        weekTurns++;
        if (verdict === 'correct') weekCorrect++;
        const reaction = react(reacting, verdict, correctionFor(question, week), t);
        if (loop !== null && (reaction.rating !== undefined || reaction.thumbs !== undefined)) {
          recordFeedback({ interaction: a.interactionId, rating: reaction.rating, thumbs: reaction.thumbs, correction: reaction.correction, userId });
        }
        if (!reaction.again) break;
        question = rephrase(question, reacting, `w${week}-c${c}-t${t + 1}`);
      }
      // A conversation's spans and feedback leave together, as a short-lived agent process's would.
      if (loop !== null) await loop.flush();
    }
    if (loop !== null) {
      await loop.flush();
      await drained(loop);
      await review(loop.url, settings.agent);
      learned = await pull(loop.url, settings.agent);
    }
    metrics.push({ ...(await heldOut(settings, week, client, learned)), turns: weekTurns, trafficAccuracy: round(weekCorrect / weekTurns), wallMedianMs: round(median(wall), 1) });
    const m = metrics.at(-1) as WeekMetrics;
    log(`loop ${loop === null ? 'off' : 'on'} week ${week + 1}: accuracy ${m.accuracy.toFixed(2)}, satisfaction ${m.satisfaction.toFixed(2)}, superseded ${m.superseded.toFixed(2)}, ${weekTurns} turns`);
  }
  return { loop: loop === null ? 'off' : 'on', weeks: metrics, daysToCorrect: daysToCorrect(turns, weeks), turns };
}

/** Corrections at least this many users made the same way, for the reviewer. */
export const REVIEW_MIN_SUPPORTERS = 3;

/**
 * The one human step of the loop, as a team would do its weekly review: a learnt item never
 * replaces a committed one on its own, so a pending correction that contradicts a served item
 * and that at least REVIEW_MIN_SUPPORTERS users made alike is approved. The reviewer reads only
 * the review queue, never the world's truth.
 */
async function review(url: string, agent: string): Promise<number> {
  const response = await fetch(`${url}/api/knowledge?status=pending&agent=${encodeURIComponent(agent)}&limit=1000`);
  if (!response.ok) throw new Error(`GET /api/knowledge?status=pending answered ${response.status}`);
  const { items } = (await response.json()) as { items: { id: number; source: string; supporters: number; conflictWith: number | null }[] };
  let approved = 0;
  for (const item of items) {
    if (item.source !== 'correction' || item.conflictWith === null || item.supporters < REVIEW_MIN_SUPPORTERS) continue;
    const answer = await fetch(`${url}/api/knowledge/${item.id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: `weekly review: ${item.supporters} users corrected it alike` }) });
    if (answer.status === 200) approved++;
    else await answer.body?.cancel();
  }
  return approved;
}

/** The held-out set answered at the week's end, graded against the week's truth; sent nowhere. */
async function heldOut(settings: SimSettings, week: number, client: OpenAI, learned: KnowledgeClient) {
  const graded: { verdict: Verdict; rating: number; ms: number }[] = [];
  for (const q of heldOutQuestions()) {
    const fact = FACTS.find((f) => f.id === q.factId);
    if (fact !== undefined && valueAt(fact, week) === null) continue;
    const a = await context.with(suppressTracing(context.active()), () =>
      answer(client, learned, orderSystem(settings.seed, week, `${q.id}:w${week}`), { agent: settings.agent, question: q.text, userId: 'heldout', conversationId: `heldout-${week}` }),
    );
    const verdict = grade(q, a.text, week, settings.seed);
    graded.push({ verdict, rating: heldOutRating(randomStream(settings.seed, `heldout:${week}:${q.id}`), verdict, a.toolFailures > 0), ms: simulatedResponseMs(a) });
  }
  const n = graded.length;
  return {
    week: week + 1,
    accuracy: round(graded.filter((g) => g.verdict === 'correct').length / n),
    satisfaction: round(graded.reduce((s, g) => s + g.rating, 0) / n),
    superseded: round(graded.filter((g) => g.verdict === 'superseded').length / n),
    responseMs: round(graded.reduce((s, g) => s + g.ms, 0) / n, 1),
  };
}

/** For each change of a fact, the simulated days from the change to the first correct answer users got about it. */
function daysToCorrect(turns: TurnRecord[], weeks: number): RunResult['daysToCorrect'] {
  return changes()
    .filter((c) => c.week < weeks)
    .map((c) => {
      const first = turns.find((t) => t.question.factId === c.factId && t.week >= c.week && t.verdict === 'correct');
      return { factId: c.factId, week: c.week + 1, days: first === undefined ? null : first.day - c.week * 7 };
    });
}
