// End to end: the Vercel AI SDK with its OpenAI provider, against the local OpenAI-compatible
// server: ai 4.3.19, 5.0.277 and 6.0.326 with `experimental_telemetry` (the `ai.*` spans), and ai
// 7.0.173 with @ai-sdk/otel 1.0.173's OpenTelemetry integration (GenAI semconv spans), exported
// through the OTel SDK's OTLP exporter to the real processor. A run (generateText, streamText) is
// one interaction over its model calls and tool calls, with tokens counted once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI as createOpenAI4 } from '@ai-sdk/openai';
import { createOpenAI as createOpenAI1 } from 'ai-sdk-openai-v1';
import { createOpenAI as createOpenAI2 } from 'ai-sdk-openai-v2';
import { createOpenAI as createOpenAI3 } from 'ai-sdk-openai-v3';
import * as ai7 from 'ai';
import * as ai4 from 'ai-v4';
import * as ai5 from 'ai-v5';
import * as ai6 from 'ai-v6';
import { type PeerSession, type Row, fieldsOf, startPeerSession, toolsOf } from './peer-harness.ts';
import {
  EMBEDDING_INPUT,
  EMBEDDING_MODEL,
  MODEL,
  PLAIN_RESPONSE,
  QUESTION,
  QUESTION_MESSAGE,
  RESPONSE_MODEL,
  STREAM_PIECES,
  STREAM_RESPONSE,
  SYSTEM,
  SYSTEM_PART,
  TOOL_ANSWER,
  TOOL_ANSWER_RESPONSE,
  TOOL_CALL_PART,
  TOOL_RESULT,
  TOOL_RESULT_PART,
  peerModel,
} from './peer-openai-scenarios.ts';

const SERVICE = 'vercel-ai-e2e';
const FUNCTION_ID = 'order-support';
const SESSION = 'sess-9';
const USER = 'user-9';
let session: PeerSession;

before(async () => {
  session = await startPeerSession(SERVICE);
  session.model.respond(peerModel);
  // ai 7 has no telemetry of its own: the integration registers it. `usage` adds the counts the
  // semconv spans have no name for (reasoning tokens).
  ai7.registerTelemetry(new OpenTelemetry({ usage: true }));
});

after(() => session.stop());

/** What the scenarios need of one `ai` major, whatever its option names. */
interface AiSdk {
  label: string;
  generateText(options: Record<string, unknown>): Promise<{ text: string }>;
  streamText(options: Record<string, unknown>): { textStream: AsyncIterable<string> };
  embed(options: Record<string, unknown>): Promise<unknown>;
  chatModel: unknown;
  embeddingModel: unknown;
  /** The lookup_order tool and the options that allow a second step after it. */
  toolOptions: Record<string, unknown>;
  telemetry: Record<string, unknown>;
  /** Token counts of one model call: input, output, cache read, reasoning. */
  callTokens: [string, string, string | null, string | null];
}

const LOOKUP_SCHEMA = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } as const;
const lookupOrder = async () => JSON.parse(TOOL_RESULT) as unknown;

function legacySdk(label: string, sdk: typeof ai4 | typeof ai5 | typeof ai6, provider: { chat(id: string): unknown; embedding(id: string): unknown }): AiSdk {
  const schema = sdk.jsonSchema(LOOKUP_SCHEMA as never);
  const tool = sdk === ai4
    ? ai4.tool({ description: 'Looks an order up by its id.', parameters: schema as never, execute: lookupOrder })
    : (sdk as typeof ai6).tool({ description: 'Looks an order up by its id.', inputSchema: schema as never, execute: lookupOrder });
  return {
    label,
    generateText: sdk.generateText as never,
    streamText: sdk.streamText as never,
    embed: sdk.embed as never,
    chatModel: provider.chat(MODEL),
    embeddingModel: provider.embedding(EMBEDDING_MODEL),
    toolOptions: { tools: { lookup_order: tool }, ...(sdk === ai4 ? { maxSteps: 2 } : { stopWhen: (sdk as typeof ai6).stepCountIs(2) }) },
    telemetry: { experimental_telemetry: { isEnabled: true, functionId: FUNCTION_ID, metadata: { sessionId: SESSION, userId: USER } } },
    callTokens: ['42', '9', '8', '3'],
  };
}

const options = { baseURL: '', apiKey: 'sk-test' };
function sdks(): AiSdk[] {
  const baseURL = session.model.baseURL;
  // ai 4's provider sends stream_options.include_usage only in strict mode.
  const v4 = legacySdk('ai 4.3.19 (@ai-sdk/openai 1.3.24)', ai4, createOpenAI1({ ...options, baseURL, compatibility: 'strict' }));
  const v5 = legacySdk('ai 5.0.277 (@ai-sdk/openai 2.0.131)', ai5, createOpenAI2({ ...options, baseURL }));
  const v6 = legacySdk('ai 6.0.326 (@ai-sdk/openai 3.0.141)', ai6, createOpenAI3({ ...options, baseURL }));
  const openai7 = createOpenAI4({ ...options, baseURL });
  const v7: AiSdk = {
    label: 'ai 7.0.173 with @ai-sdk/otel 1.0.173 OpenTelemetry (@ai-sdk/openai 4.0.118)',
    generateText: ai7.generateText as never,
    streamText: ai7.streamText as never,
    embed: ai7.embed as never,
    chatModel: openai7.chat(MODEL),
    embeddingModel: openai7.embedding(EMBEDDING_MODEL),
    toolOptions: {
      tools: { lookup_order: ai7.tool({ description: 'Looks an order up by its id.', inputSchema: ai7.jsonSchema(LOOKUP_SCHEMA as never), execute: lookupOrder }) },
      stopWhen: ai7.stepCountIs(2),
    },
    telemetry: { telemetry: { functionId: FUNCTION_ID } },
    callTokens: ['42', '9', '8', '3'],
  };
  return [v4, v5, v6, v7];
}

function doubled(count: string | null): string | null {
  return count === null ? null : String(Number(count) * 2);
}

/** Fields every interaction below shares. */
const TURN: Row = {
  agent_id: null,
  service_name: SERVICE,
  service_version: '1.4.2',
  request_model: MODEL,
  response_model: RESPONSE_MODEL,
  provider: 'openai',
  cache_creation_input_tokens: null,
  intent: null,
  confidence: null,
  knowledge_sources: [],
  prompt_version: null,
  expected_output: null,
  status: 'unset',
  error_type: null,
  error_message: null,
  conventions: ['vercel-ai', 'genai-semconv'],
  sub_agents: [],
};

/** ai 4 to 6: the `ai.*` spans, with metadata for session and user; ai 7: semconv spans, which have neither. */
function shapeOf(sdk: AiSdk, run: 'generateText' | 'streamText'): Row {
  const legacy = !sdk.label.startsWith('ai 7');
  return legacy
    ? { operation: 'invoke_agent', name: `ai.${run}`, session_id: SESSION, user_id: USER, agent_name: FUNCTION_ID }
    : { operation: 'invoke_agent', name: `invoke_agent ${MODEL}`, session_id: null, user_id: null, agent_name: FUNCTION_ID };
}

for (const version of ['ai 4', 'ai 5', 'ai 6', 'ai 7']) {
  describe(version, () => {
    let sdk: AiSdk;
    let slug: string;
    before(() => {
      sdk = sdks().find((s) => s.label.startsWith(`${version}.`)) as AiSdk;
      slug = `vercel-ai-v${version.slice(3)}`;
    });

    test('generateText: one interaction over its model call; system prompt, input, output, tokens', async () => {
      const { interactions } = await session.turn(
        () => sdk.generateText({ model: sdk.chatModel, system: SYSTEM, prompt: QUESTION, temperature: 0.2, ...sdk.telemetry }),
        `${slug}-generate`,
      );
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      const [input, output, cacheRead, reasoning] = sdk.callTokens;
      // ai 5 generateText reports neither cached nor reasoning tokens (ai.usage.promptTokens era).
      const v5 = version === 'ai 5';
      assert.deepEqual(fieldsOf(row), {
        ...TURN,
        ...shapeOf(sdk, 'generateText'),
        system_instructions: [SYSTEM_PART],
        user_input: [QUESTION_MESSAGE],
        response: PLAIN_RESPONSE,
        input_tokens: input,
        output_tokens: output,
        cache_read_input_tokens: v5 ? null : cacheRead,
        reasoning_output_tokens: v5 ? null : reasoning,
        finish_reasons: ['stop'],
      });
      assert.deepEqual([row.time_to_first_token_ms, row.tools], [null, []]);
      assert.equal((row.span_ids as string[]).length, version === 'ai 7' ? 3 : 2, 'the run and its call (ai 7: and the step)');
    });

    test('streamText: streamed answer, tokens, and the time to first chunk of the call', async () => {
      let text = '';
      const { interactions } = await session.turn(async () => {
        const result = sdk.streamText({ model: sdk.chatModel, prompt: QUESTION, ...sdk.telemetry });
        for await (const piece of result.textStream) text += piece;
      }, `${slug}-stream`);
      assert.equal(text, STREAM_PIECES.join(''));
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      const [input, output, cacheRead, reasoning] = sdk.callTokens;
      assert.deepEqual(fieldsOf(row), {
        ...TURN,
        ...shapeOf(sdk, 'streamText'),
        system_instructions: null,
        user_input: [QUESTION_MESSAGE],
        response: STREAM_RESPONSE,
        input_tokens: input,
        output_tokens: output,
        cache_read_input_tokens: cacheRead,
        reasoning_output_tokens: reasoning,
        finish_reasons: ['stop'],
      });
      assert.ok(typeof row.time_to_first_token_ms === 'number' && row.time_to_first_token_ms > 0, `time to first token ${String(row.time_to_first_token_ms)}`);
    });

    test('a tool-call round trip is one interaction: two model calls summed once, the tool with arguments and result', async () => {
      const { interactions } = await session.turn(async () => {
        const result = await sdk.generateText({ model: sdk.chatModel, prompt: QUESTION, ...sdk.toolOptions, ...sdk.telemetry });
        assert.equal(result.text, TOOL_ANSWER);
      }, `${slug}-tool`);
      assert.equal(interactions.length, 1);
      const row = interactions[0]!;
      const [input, output, cacheRead, reasoning] = sdk.callTokens;
      const v5 = version === 'ai 5';
      assert.deepEqual(fieldsOf(row), {
        ...TURN,
        ...shapeOf(sdk, 'generateText'),
        system_instructions: null,
        user_input: [QUESTION_MESSAGE],
        // ai 7's run span lists the whole run in its output message; ai 4-6 the final text.
        response: version === 'ai 7'
          ? [{ role: 'assistant', parts: [{ type: 'text', content: TOOL_ANSWER }, TOOL_CALL_PART, TOOL_RESULT_PART], finish_reason: 'stop' }]
          : TOOL_ANSWER_RESPONSE,
        input_tokens: doubled(input),
        output_tokens: doubled(output),
        cache_read_input_tokens: v5 ? null : doubled(cacheRead),
        reasoning_output_tokens: v5 ? null : doubled(reasoning),
        finish_reasons: ['stop'],
      });
      assert.deepEqual(toolsOf(row), [
        { name: 'lookup_order', callId: 'call_1', error: null, arguments: { order_id: 'A-1001' }, result: { status: 'shipped', carrier: 'DHL' } },
      ]);
    });

    test('embed: one interaction over its model call, input tokens counted once', async () => {
      const { interactions } = await session.turn(
        () => sdk.embed({ model: sdk.embeddingModel, value: EMBEDDING_INPUT, ...sdk.telemetry }),
        `${slug}-embed`,
      );
      assert.equal(interactions.length, 1);
      const legacy = version !== 'ai 7';
      assert.deepEqual(fieldsOf(interactions[0]!), {
        ...TURN,
        operation: 'embeddings',
        name: legacy ? 'ai.embed' : `embeddings ${EMBEDDING_MODEL}`,
        session_id: legacy ? SESSION : null,
        user_id: legacy ? USER : null,
        agent_name: null,
        system_instructions: null,
        // ai 7 records embedded values only with OpenTelemetry({ embedding: true }).
        user_input: legacy ? [{ role: 'user', parts: [{ type: 'text', content: EMBEDDING_INPUT }] }] : null,
        response: null,
        request_model: EMBEDDING_MODEL,
        response_model: null,
        input_tokens: '7',
        output_tokens: null,
        cache_read_input_tokens: null,
        reasoning_output_tokens: null,
        finish_reasons: [],
        conventions: legacy ? ['vercel-ai'] : ['vercel-ai', 'genai-semconv'],
      });
    });
  });
}
