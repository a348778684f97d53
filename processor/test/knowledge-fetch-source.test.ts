// Reading a knowledge source (knowledge/fetch-source.ts) against a local HTTP server and files:
// the validators sent, 304, the size bound before and while reading, the timeout, failures as
// outcomes.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { fetchSource, type FetchRequest } from '../src/knowledge/fetch-source.ts';

let server: Server;
let base: string;
let dir: string;
const seen: IncomingHttpHeaders[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/doc') {
      if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT') return void res.writeHead(304).end();
      return void res.writeHead(200, { 'content-type': 'text/markdown', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end('# A\ntext');
    }
    if (req.url === '/declared-large') return void res.writeHead(200, { 'content-length': '2000' }).end('x'.repeat(2000));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 2_000).unref();
    res.writeHead(503, 'Busy').end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-fetch-'));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const request = (uri: string, o: Partial<FetchRequest> = {}): FetchRequest => ({ uri, etag: null, lastModified: null, maxBytes: 1000, timeoutMs: 1000, ...o });
const never = new AbortController().signal;

test('a 200 gives the body, its type and validators; sent back, they get a 304', async () => {
  assert.deepEqual(await fetchSource(request(`${base}/doc`), never), {
    kind: 'fetched', body: '# A\ntext', contentType: 'text/markdown', etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT',
  });
  assert.deepEqual(await fetchSource(request(`${base}/doc`, { etag: '"v1"' }), never), { kind: 'not-modified' });
  assert.equal(seen.at(-1)?.['if-none-match'], '"v1"');
  assert.deepEqual(await fetchSource(request(`${base}/doc`, { lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }), never), { kind: 'not-modified' });
  assert.deepEqual([seen.at(-1)?.['if-modified-since'], seen.at(-1)?.['if-none-match']], ['Tue, 01 Dec 2026 10:00:00 GMT', undefined]);
});

test('a status other than 2xx or 304, a declared size over the bound, and a slow answer are failures saying so', async () => {
  assert.deepEqual(await fetchSource(request(`${base}/other`), never), { kind: 'failed', error: 'HTTP 503 Busy' });
  assert.deepEqual(await fetchSource(request(`${base}/declared-large`), never), { kind: 'failed', error: 'the source is larger than 1000 bytes (FLYWHEEL_SOURCE_MAX_BYTES)' });
  assert.deepEqual(await fetchSource(request(`${base}/slow`, { timeoutMs: 200 }), never), { kind: 'failed', error: 'no complete answer within 200 ms (FLYWHEEL_SOURCE_TIMEOUT_MS)' });
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await fetchSource(request(`http://127.0.0.1:${port}/`), never);
  assert.equal(refused.kind, 'failed');
  assert.match((refused as { error: string }).error, /^fetch failed: .*ECONNREFUSED/);
});

test('a file is read whole, within the bound; a larger one, a directory and a missing one are failures', async () => {
  const file = path.join(dir, 'faq.md');
  await writeFile(file, '# Hours\n9 to 5\n');
  assert.deepEqual(await fetchSource(request(pathToFileURL(file).href), never), { kind: 'fetched', body: '# Hours\n9 to 5\n', contentType: null, etag: null, lastModified: null });
  await writeFile(file, 'x'.repeat(1001));
  assert.deepEqual(await fetchSource(request(pathToFileURL(file).href), never), { kind: 'failed', error: 'the source is larger than 1000 bytes (FLYWHEEL_SOURCE_MAX_BYTES)' });
  assert.deepEqual(await fetchSource(request(pathToFileURL(dir).href), never), { kind: 'failed', error: `${dir} is not a file` });
  const missing = await fetchSource(request(pathToFileURL(path.join(dir, 'none.md')).href), never);
  assert.match((missing as { error: string }).error, /^ENOENT: no such file or directory/);
});

test('the run being stopped rejects instead of recording a failure', async () => {
  const stop = new AbortController();
  const pending = fetchSource(request(`${base}/slow`, { timeoutMs: 5000 }), stop.signal);
  stop.abort(new Error('the processor is stopping'));
  await assert.rejects(pending);
});
