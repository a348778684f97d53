// Pattern summaries from the judge model: with FLYWHEEL_JUDGE_BASE_URL set, the mining pass sends
// each new open pattern (segment, rates, example questions and answers) to the judge model through
// the judge's structured call, stores the zod-validated summary and recommendation on the pattern,
// and insights use the recommendation. A malformed answer is retried and, once retries are spent,
// left for the next pass without failing the pass. The judge model is a local OpenAI-compatible server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type JudgeServer, startJudgeServer, verdictJson } from '../processor/test/score-judge-server.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson, tracesRequest } from './otlp-json-builder.ts';
import { contentTurn, waitFor } from './score-fixtures.ts';

const AGENT = 'summaries-agent';
const SUMMARY = { summary: 'Order lookups time out, so the agent cannot say where the order is.', recommendation: 'Give lookup_order a retry and a cached fallback.' };

let processor: TestProcessor;
let judge: JudgeServer;
let malformed = 0;

before(async () => {
  judge = await startJudgeServer();
  judge.respond((i) => {
    const request = judge.requests[i];
    const format = (request?.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name;
    if (format !== 'pattern_summary') return { content: verdictJson(0.9, 0.9, 0.9) };
    // The first summary request is answered with prose twice (both attempts), then JSON.
    if (malformed < 2) {
      malformed++;
      return { content: 'Here is my analysis: the tool is flaky.' };
    }
    return { content: JSON.stringify(SUMMARY) };
  });
  processor = await startProcessor({
    settings: {
      FLYWHEEL_SCORE_SETTLE_MS: '100',
      FLYWHEEL_SCORE_POLL_MS: '50',
      FLYWHEEL_MINE_INTERVAL_MS: '300',
      FLYWHEEL_MINE_MIN_SUPPORT: '10',
      FLYWHEEL_JUDGE_BASE_URL: judge.baseURL,
      FLYWHEEL_JUDGE_MAX_RETRIES: '1',
      FLYWHEEL_JUDGE_PARENT_WAIT_MS: '0',
      FLYWHEEL_KNOWLEDGE_POLL_MS: '60000',
    },
  });
});
after(async () => {
  await processor.stop();
  await judge.close();
});

async function turns(count: number, toolFails: boolean): Promise<void> {
  const made = Array.from({ length: count }, (_, i) =>
    contentTurn({ agent: AGENT, question: `Where is my order ${i}?`, answer: toolFails ? 'I cannot look that up right now.' : 'It shipped today.', ...(toolFails ? { toolError: 'timeout' } : {}) }),
  );
  assert.equal((await postJson(`${processor.url}/v1/traces`, tracesRequest(made.flatMap((t) => t.spans) as never[]))).status, 200);
  const feedback = made.map((t) => ({ interactionId: t.id, thumbs: toolFails ? 'down' : 'up' }));
  assert.equal((await postJson(`${processor.url}/api/feedback`, feedback)).status, 200);
}

test('the judge model summarises a new pattern; insights take its recommendation; a malformed answer is left for the next pass', async () => {
  await turns(30, true);
  await turns(60, false);
  const pattern = await waitFor('the tool pattern with its summary', async () => {
    const { patterns } = (await (await fetch(`${processor.url}/api/patterns?agent=${AGENT}&kind=failure`)).json()) as { patterns: { id: string; label: string; summary: string | null; recommendation: string | null }[] };
    return patterns.find((p) => p.label === 'tool_failed=lookup_order' && p.summary !== null);
  }, 60_000);
  assert.deepEqual([pattern.summary, pattern.recommendation], [SUMMARY.summary, SUMMARY.recommendation]);
  // The first pass's request failed twice (malformed, then its one retry): the next pass asked again.
  const asked = judge.requests.filter((r) => (r.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name === 'pattern_summary');
  assert.ok(asked.length >= 3, `${asked.length} summary requests`);
  const prompt = asked.map((r) => r.messages.map((m) => m.content).join('\n')).find((text) => text.includes('A failure pattern: tool_failed=lookup_order')) ?? '';
  assert.match(prompt, /100% of these interactions fail, against 33\.3% over all of the agent's \(n = 30\)/);
  assert.match(prompt, /User: Where is my order \d+\?\nAgent: I cannot look that up right now\./);
  const insights = (await (await fetch(`${processor.url}/api/insights?agent=${AGENT}`)).json()) as { suggested_improvements: { text: string; patternId: string }[] };
  assert.equal(insights.suggested_improvements.find((i) => i.patternId === pattern.id)?.text, SUMMARY.recommendation);
});
