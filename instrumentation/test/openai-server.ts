// A local OpenAI-compatible HTTP server for tests and the overhead benchmark: the real `openai`
// client talks to it over real HTTP. Each test says how it answers (JSON, server-sent events,
// an API error, or a stream cut off mid-way); every request body is kept for assertions.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/** How the server answers one request. */
export type Reply =
  | { status?: number; json: unknown }
  /** Server-sent events; `cutAfter` destroys the connection after that many events. */
  | { sse: SseEvent[]; cutAfter?: number };

export interface SseEvent {
  /** The SSE `event:` field (the Responses API names its events; Chat Completions does not). */
  event?: string;
  /** JSON-encoded into `data:`; a string is sent as is (e.g. `[DONE]`). */
  data: unknown;
}

export type Responder = (request: RecordedRequest) => Reply;

export interface OpenAIServer {
  /** Base URL for the openai client, ending in /v1. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Sets how the following requests are answered. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startOpenAIServer(responder: Responder = notConfigured): Promise<OpenAIServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const request = { method: req.method ?? 'GET', path: req.url ?? '/', body };
        requests.push(request);
        send(res, current(request));
      },
      () => res.destroy(),
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    respond: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function notConfigured(request: RecordedRequest): Reply {
  return { status: 404, json: { error: { message: `no reply set for ${request.path}`, type: 'invalid_request_error' } } };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function send(res: ServerResponse, reply: Reply): void {
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': 'req_test',
    });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': 'req_test' });
  let sent = 0;
  for (const event of reply.sse) {
    if (reply.cutAfter !== undefined && sent === reply.cutAfter) {
      // Let what was written reach the client, then drop the connection mid-response.
      setTimeout(() => res.destroy(), 20);
      return;
    }
    const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
    res.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
    sent++;
  }
  res.end();
}
