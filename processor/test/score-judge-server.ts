// A local OpenAI-compatible chat completions server for the judge's tests: the real `openai`
// client talks to it over HTTP. Each test says what the judge answers (a verdict, malformed
// text, an API error) and how slowly; requests and the peak concurrency are recorded.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JudgeReply {
  /** The assistant message content (a JSON verdict, or anything malformed). */
  content?: string;
  /** An HTTP error status instead of a completion. */
  status?: number;
  delayMs?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface JudgeServer {
  baseURL: string;
  requests: { model: string; messages: { role: string; content: string }[]; response_format?: unknown }[];
  /** Most requests in flight at the same time since the server started or resetPeak(). */
  readonly peakConcurrency: number;
  /** Starts measuring peakConcurrency afresh (from the requests in flight now). */
  resetPeak(): void;
  /** Requests being answered right now. */
  readonly inFlight: number;
  respond(responder: (requestIndex: number) => JudgeReply): void;
  close(): Promise<void>;
}

export const verdictJson = (accuracy: number, completeness: number, relevance: number, rationale = 'Looks right.') =>
  JSON.stringify({ accuracy, completeness, relevance, rationale });

export async function startJudgeServer(): Promise<JudgeServer> {
  let responder: (i: number) => JudgeReply = () => ({ content: verdictJson(0.9, 0.9, 0.9) });
  const requests: JudgeServer['requests'] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = requests.length;
      requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as JudgeServer['requests'][number]);
      inFlight++;
      peak = Math.max(peak, inFlight);
      const reply = responder(index);
      const timer = setTimeout(() => {
        inFlight--;
        send(res, reply, requests[index]!.model);
      }, reply.delayMs ?? 0);
      res.on('close', () => {
        if (!res.writableEnded) {
          clearTimeout(timer);
          inFlight--;
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get peakConcurrency() {
      return peak;
    },
    get inFlight() {
      return inFlight;
    },
    resetPeak() {
      peak = inFlight;
    },
    respond(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: JudgeReply, model: string): void {
  if (res.destroyed) return;
  if (reply.status !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `status ${reply.status}`, type: 'server_error' } }));
    return;
  }
  const usage = reply.usage ?? { prompt_tokens: 200, completion_tokens: 40 };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-judge',
      object: 'chat.completion',
      created: 1_777_000_000,
      model: `${model}-2026`,
      choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? '', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    }),
  );
}
