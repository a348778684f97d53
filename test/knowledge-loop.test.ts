// The loop closed end to end: the support-agent example, instrumented by
// @agent-flywheel/instrumentation and exporting to the real processor, answers a question it
// cannot answer; the user's correction becomes a pending knowledge item, a person approves it,
// the agent's knowledge() client picks it up, and the next answer to the same question uses it
// and names the item as a knowledge source. The model is a local OpenAI-compatible server that
// answers only from the context it is given.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { AGENT_NAME, answer } from '../examples/support-agent/agent.ts';
import { knowledge, register } from '../instrumentation/src/index.ts';
import type { KnowledgeClient } from '../instrumentation/src/types.ts';
import { chatCompletion, MODEL } from '../instrumentation/test/openai-fixtures.ts';
import { type OpenAIServer, type RecordedRequest, type Reply, startOpenAIServer } from '../instrumentation/test/openai-server.ts';
import { type TestProcessor, startProcessor } from './harness.ts';
import { postJson } from './otlp-json-builder.ts';
import { waitFor } from './score-fixtures.ts';

const QUESTION = 'Can I pick up my order at the Leipzig store?';
const CORRECTION = 'Yes: orders can be picked up at the Leipzig store from the day after they ship.';
const UNKNOWN = 'I do not know.';

/** A model that knows only what the prompt tells it: the first known answer, else that it does not know. */
function contextModel(request: RecordedRequest): Reply {
  const system = (request.body.messages as { role: string; content: string }[]).find((m) => m.role === 'system')?.content ?? '';
  const known = /Known answers[^\n]*\n- ([^\n]+)/.exec(system);
  return chatCompletion(known?.[1] ?? UNKNOWN);
}

let processor: TestProcessor;
let model: OpenAIServer;
let client: OpenAI;
let flywheel: ReturnType<typeof register>;
let learned: KnowledgeClient;

before(async () => {
  processor = await startProcessor({
    settings: { FLYWHEEL_SCORE_SETTLE_MS: '100', FLYWHEEL_SCORE_POLL_MS: '50', FLYWHEEL_KNOWLEDGE_POLL_MS: '100' },
  });
  model = await startOpenAIServer(contextModel);
  flywheel = register({ serviceName: 'support-agent-loop', endpoint: processor.url, captureContent: true });
  // Required after register(), as an app loads it: the CommonJS hook patches it.
  const { OpenAI: Client } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
  client = new Client({ apiKey: 'sk-test', baseURL: model.baseURL, maxRetries: 0 });
  learned = knowledge({ agent: AGENT_NAME, url: processor.url, refreshMs: 200 });
});

after(async () => {
  learned.close();
  await flywheel.shutdown();
  await model.close();
  await processor.stop();
});

test('a correction, approved, reaches the agent through knowledge() and its next answer uses it', async () => {
  assert.equal(await learned.ready(), true);
  const first = await answer(client, MODEL, { question: QUESTION, userId: 'u-loop' }, learned);
  assert.equal(first.text, UNKNOWN);
  await flywheel.forceFlush();

  const feedback = await postJson(`${processor.url}/api/feedback`, { interactionId: first.interactionId, thumbs: 'down', correction: CORRECTION, userId: 'u-loop' });
  assert.equal(feedback.status, 201);
  const pending = await waitFor('the correction as a pending item', async () => {
    const { items } = (await (await fetch(`${processor.url}/api/knowledge?agent=${AGENT_NAME}&status=pending`)).json()) as { items: { id: number; content: string; interactionIds: string[] }[] };
    return items.find((i) => i.content === CORRECTION);
  }, 30_000);
  assert.deepEqual(pending.interactionIds, [first.interactionId]);
  assert.equal((await postJson(`${processor.url}/api/knowledge/${pending.id}/approve`, { reason: 'store policy' })).status, 200);

  await waitFor('knowledge() to hold the approved item', async () => (learned.items().some((i) => i.content === CORRECTION) ? true : undefined), 10_000);
  const second = await answer(client, MODEL, { question: QUESTION, userId: 'u-loop' }, learned);
  assert.equal(second.text, CORRECTION);
  await flywheel.forceFlush();

  const [row] = await waitFor('the second interaction stored', async () => {
    const rows = await processor.query<{ knowledge_sources: string[]; response: unknown }>('SELECT knowledge_sources, response FROM interactions WHERE id = $1', [second.interactionId]);
    return rows.length > 0 ? rows : undefined;
  }, 15_000);
  assert.deepEqual(row?.knowledge_sources, [`knowledge://${pending.id}`]);
  assert.match(JSON.stringify(row?.response), /Leipzig store from the day after they ship/);
  // The model saw the learnt answer in its instructions, not the question's answer from anywhere else.
  const prompts = model.requests.map((r) => (r.body.messages as { role: string; content: string }[])[0]?.content ?? '');
  assert.ok(!prompts[0]?.includes(CORRECTION) && prompts.at(-1)?.includes(CORRECTION));
});
