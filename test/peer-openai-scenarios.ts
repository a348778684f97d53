// The four calls every peer-instrumentation e2e test makes with the real `openai` client (any
// major from 4 to 7): a plain chat call, a streamed one, a tool-call round trip (the model asks
// for a tool, the app runs it and calls again with the result) and an embeddings call; and how
// the local OpenAI-compatible server answers them (the generated replies of the instrumentation
// tests: usage 42 in / 9 out, 8 of them cached, 3 reasoning).
import {
  EMBEDDING_MODEL,
  MODEL,
  apiError,
  chatCompletion,
  chatStreamEvents,
  chatToolCallCompletion,
  embeddingsReply,
  responseFunctionCallReply,
} from '../instrumentation/test/openai-fixtures.ts';
import type { RecordedRequest, Reply } from '../instrumentation/test/openai-server.ts';

export { EMBEDDING_MODEL, MODEL };
export { CHAT_USAGE, RESPONSE_MODEL } from '../instrumentation/test/openai-fixtures.ts';

export const SYSTEM = 'Answer in one sentence.';
export const QUESTION = 'Where is order A-1001?';
export const PLAIN_ANSWER = 'Order A-1001 has shipped.';
export const STREAM_PIECES = ['Your order ', 'has shipped.'];
export const TOOL_ANSWER = 'A-1001 shipped with DHL.';
export const TOOL_RESULT = '{"status":"shipped","carrier":"DHL"}';
export const EMBEDDING_INPUT = 'refund policy';
/** The OpenAI `user` parameter of the plain call (only OpenLIT records it). */
export const END_USER = 'end-user-7';
/** A model the server does not know: it answers 404, as the API does. */
export const MISSING_MODEL = 'gpt-missing';

// The stored message shapes of the calls above (GenAI semconv parts).
export const SYSTEM_PART = { type: 'text', content: SYSTEM };
export const SYSTEM_MESSAGE = { role: 'system', parts: [SYSTEM_PART] };
export const QUESTION_MESSAGE = { role: 'user', parts: [{ type: 'text', content: QUESTION }] };
export const PLAIN_RESPONSE = [{ role: 'assistant', parts: [{ type: 'text', content: PLAIN_ANSWER }], finish_reason: 'stop' }];
export const STREAM_RESPONSE = [{ role: 'assistant', parts: [{ type: 'text', content: STREAM_PIECES.join('') }], finish_reason: 'stop' }];
export const TOOL_CALL_PART = { type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order_id: 'A-1001' } };
export const TOOL_CALL_RESPONSE = [{ role: 'assistant', parts: [TOOL_CALL_PART], finish_reason: 'tool_call' }];
export const TOOL_RESULT_PART = { type: 'tool_call_response', id: 'call_1', response: { status: 'shipped', carrier: 'DHL' } };
export const TOOL_ANSWER_RESPONSE = [{ role: 'assistant', parts: [{ type: 'text', content: TOOL_ANSWER }], finish_reason: 'stop' }];

export const LOOKUP_ORDER = {
  type: 'function' as const,
  function: {
    name: 'lookup_order',
    description: 'Looks an order up by its id.',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  },
};

/**
 * The server's answers: embeddings for /embeddings, a lookup_order call for /responses; for chat, a stream when asked for one, a
 * tool call when tools are offered and no tool result is in the conversation yet, else an answer.
 */
export function peerModel(request: RecordedRequest): Reply {
  if (request.body.model === MISSING_MODEL) return apiError(404, 'model_not_found', `The model ${MISSING_MODEL} does not exist`);
  if (request.path.endsWith('/embeddings')) return embeddingsReply(request.body);
  if (request.path.endsWith('/responses')) return responseFunctionCallReply();
  if (request.body.stream === true) {
    const options = request.body.stream_options as { include_usage?: boolean } | undefined;
    return { sse: chatStreamEvents(STREAM_PIECES, options?.include_usage === true) };
  }
  const messages = request.body.messages as { role: string }[];
  if (request.body.tools !== undefined && !messages.some((m) => m.role === 'tool')) return chatToolCallCompletion();
  if (messages.some((m) => m.role === 'tool')) return chatCompletion(TOOL_ANSWER, 'chatcmpl-after-tool');
  return chatCompletion(PLAIN_ANSWER, 'chatcmpl-plain');
}

/** The part of the `openai` client (4 to 7) the scenarios use. */
export interface ChatClient {
  chat: { completions: { create(body: never): Promise<unknown> } };
  embeddings: { create(body: never): Promise<unknown> };
  responses?: { create(body: never): Promise<unknown> };
}

interface ToolCallingCompletion {
  choices: { message: { content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] } }[];
}

function create(client: ChatClient, body: Record<string, unknown>): Promise<unknown> {
  return client.chat.completions.create(body as never);
}

export async function plainCall(client: ChatClient): Promise<void> {
  await create(client, {
    model: MODEL,
    messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }],
    temperature: 0.2,
    user: END_USER,
  });
}

/** Streams with `stream_options.include_usage` unless told otherwise, so a library that reads the usage chunk can. */
export async function streamedCall(client: ChatClient, includeUsage = true): Promise<string> {
  const stream = (await create(client, {
    model: MODEL,
    messages: [{ role: 'user', content: QUESTION }],
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  })) as AsyncIterable<{ choices: { delta: { content?: string | null } }[] }>;
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

/** Two model calls: the first asks for lookup_order, the second answers from its result. */
export async function toolRoundTrip(client: ChatClient): Promise<string | null> {
  const messages: Record<string, unknown>[] = [{ role: 'user', content: QUESTION }];
  const first = (await create(client, { model: MODEL, messages, tools: [LOOKUP_ORDER] })) as ToolCallingCompletion;
  const asked = first.choices[0]?.message;
  messages.push({ role: 'assistant', content: null, tool_calls: asked?.tool_calls?.map((c) => ({ ...c, type: 'function' })) });
  for (const call of asked?.tool_calls ?? []) messages.push({ role: 'tool', tool_call_id: call.id, content: TOOL_RESULT });
  const second = (await create(client, { model: MODEL, messages, tools: [LOOKUP_ORDER] })) as ToolCallingCompletion;
  return second.choices[0]?.message.content ?? null;
}

/** A call the API refuses (404): the client throws, the app carries on. */
export async function failedCall(client: ChatClient): Promise<void> {
  await create(client, { model: MISSING_MODEL, messages: [{ role: 'user', content: QUESTION }] }).catch(() => undefined);
}

export async function embeddingCall(client: ChatClient): Promise<void> {
  await client.embeddings.create({ model: EMBEDDING_MODEL, input: EMBEDDING_INPUT } as never);
}
