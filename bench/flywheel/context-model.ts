// A local OpenAI-compatible chat model that knows nothing but its prompt: it answers with the
// sentence of the system prompt's context that shares the most words with the question (the
// first such sentence on a tie; the first sentence when none shares a word, as the agent put
// the best match first), restates an order record, or says it does not know. It never
// sees the simulation's ground truth, so the agent can only be as right as its knowledge.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CONTEXT_MODEL = 'context-model-1';
export const UNKNOWN_ANSWER = 'I do not know.';

const STOP = new Set(['the', 'a', 'an', 'is', 'are', 'of', 'to', 'do', 'does', 'i', 'my', 'what', 'how', 'much', 'can', 'at', 'in', 'per', 'it', 'you', 'be', 'and', 'or', 'for', 'on', 'when', 'which', 'where', 'have', 'make', 'any']);

/** A crude stem, so that "opening", "opens" and "open" or "costs" and "cost" meet. */
function stem(word: string): string {
  return word.length > 4 ? word.replace(/(ing|es|ed|s)$/, '') : word;
}

function words(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w)).map(stem));
}

/** The answer to a question from the system prompt's context lines ("- ..." under a heading, or "Order record: ..."). */
export function answerFromContext(system: string, question: string): string {
  const order = /Order record: (\S+) status (\w+)/.exec(system);
  if (order) return `Order ${order[1]} is ${order[2]}.`;
  if (/Order lookup failed/.test(system)) return 'I could not look up that order right now.';
  if (/No order number/.test(system)) return 'I could not find an order number in your question.';
  const asked = words(question);
  let best: { line: string; score: number } | null = null;
  for (const raw of system.split('\n')) {
    if (!raw.startsWith('- ')) continue;
    const line = raw.slice(2);
    let score = 0;
    for (const w of words(line)) if (asked.has(w)) score++;
    if (score > 0 && (best === null || score > best.score)) best = { line, score };
  }
  const first = system.split('\n').find((line) => line.startsWith('- '));
  return best?.line ?? first?.slice(2) ?? UNKNOWN_ANSWER;
}

export interface ContextModelServer {
  /** Base URL for the openai client, ending in /v1. */
  baseURL: string;
  /** Chat completions answered. */
  requests(): number;
  close(): Promise<void>;
}

/** Starts the model on 127.0.0.1 and a free port. */
export async function startContextModel(): Promise<ContextModelServer> {
  let answered = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { messages?: { role: string; content: string }[]; model?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'the body is not JSON' } }));
        return;
      }
      const messages = body.messages ?? [];
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      const question = messages.findLast((m) => m.role === 'user')?.content ?? '';
      const content = answerFromContext(system, question);
      answered++;
      const promptTokens = Math.ceil((system.length + question.length) / 4);
      const completionTokens = Math.ceil(content.length / 4);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${answered}`,
          object: 'chat.completion',
          created: 1_767_225_600,
          model: CONTEXT_MODEL,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests: () => answered,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
