// Reading a knowledge source: http(s) with Node's fetch and a conditional request (If-None-Match,
// If-Modified-Since from the last answer), file:// from the disk. Bounded: a body over maxBytes
// is aborted, a request over timeoutMs too. Outside any database transaction; the caller stores
// the outcome.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface FetchRequest {
  uri: string;
  etag: string | null;
  lastModified: string | null;
  maxBytes: number;
  timeoutMs: number;
}

export type FetchOutcome =
  /** 304 Not Modified: what we have is current. */
  | { kind: 'not-modified' }
  | { kind: 'fetched'; body: string; contentType: string | null; etag: string | null; lastModified: string | null }
  | { kind: 'failed'; error: string };

/** Reads a source; never throws for what the source does (its failures are the outcome), only when `signal` aborts. */
export async function fetchSource(request: FetchRequest, signal: AbortSignal): Promise<FetchOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  try {
    return request.uri.startsWith('file:') ? await readFile(request, both) : await readHttp(request, both);
  } catch (error) {
    if (signal.aborted) throw error;
    if (timeout.aborted) return { kind: 'failed', error: `no complete answer within ${request.timeoutMs} ms (FLYWHEEL_SOURCE_TIMEOUT_MS)` };
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { kind: 'failed', error: `${(error as Error).message}${cause !== undefined ? `: ${cause}` : ''}` };
  }
}

const tooLarge = (maxBytes: number) => `the source is larger than ${maxBytes} bytes (FLYWHEEL_SOURCE_MAX_BYTES)`;

async function readHttp(request: FetchRequest, signal: AbortSignal): Promise<FetchOutcome> {
  const headers: Record<string, string> = { accept: 'text/markdown, application/json;q=0.9, text/plain;q=0.8, */*;q=0.5' };
  if (request.etag !== null) headers['if-none-match'] = request.etag;
  if (request.lastModified !== null) headers['if-modified-since'] = request.lastModified;
  const response = await fetch(request.uri, { headers, signal, redirect: 'follow' });
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'not-modified' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: 'failed', error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > request.maxBytes) {
    await response.body?.cancel();
    return { kind: 'failed', error: tooLarge(request.maxBytes) };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > request.maxBytes) {
        await response.body.cancel().catch(() => undefined);
        return { kind: 'failed', error: tooLarge(request.maxBytes) };
      }
      chunks.push(chunk);
    }
  }
  return {
    kind: 'fetched',
    body: Buffer.concat(chunks).toString('utf8'),
    contentType: response.headers.get('content-type'),
    etag: response.headers.get('etag'),
    lastModified: response.headers.get('last-modified'),
  };
}

async function readFile(request: FetchRequest, signal: AbortSignal): Promise<FetchOutcome> {
  const path = fileURLToPath(request.uri);
  const info = await stat(path);
  if (!info.isFile()) return { kind: 'failed', error: `${path} is not a file` };
  if (info.size > request.maxBytes) return { kind: 'failed', error: tooLarge(request.maxBytes) };
  const chunks: Buffer[] = [];
  let size = 0;
  // The file may grow between stat and read: the bound holds on what is read.
  for await (const chunk of createReadStream(path, { signal, end: request.maxBytes })) {
    size += (chunk as Buffer).byteLength;
    if (size > request.maxBytes) return { kind: 'failed', error: tooLarge(request.maxBytes) };
    chunks.push(chunk as Buffer);
  }
  return { kind: 'fetched', body: Buffer.concat(chunks).toString('utf8'), contentType: null, etag: null, lastModified: null };
}
