// Reads an HTTP request body with a size limit applied before and after decompression,
// so neither a huge upload nor a small gzip bomb is ever held in memory whole.
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { HttpError } from './errors.ts';

export interface BodyLimits {
  maxBytes: number;
  /** Called with each chunk's size; throws to refuse the request (the pending-bytes budget). */
  reserve(bytes: number): void;
}

const DECOMPRESSORS: Record<string, (() => zlib.Gunzip | zlib.Inflate) | undefined> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
};

/** Resolves with the decoded body; rejects with HttpError 400 (bad encoding) or 413 (too large). */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const makeDecompressor = encoding === 'identity' || encoding === '' ? undefined : DECOMPRESSORS[encoding];
  if (encoding !== 'identity' && encoding !== '' && !makeDecompressor) {
    throw new HttpError(400, `Content-Encoding '${encoding}' is not supported; use gzip, deflate or none`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    throw tooLarge(limits.maxBytes, 'Content-Length');
  }
  const source: NodeJS.ReadableStream = makeDecompressor ? req.pipe(makeDecompressor()) : req;
  const chunks: Buffer[] = [];
  let rawBytes = 0;
  let decodedBytes = 0;
  if (makeDecompressor) {
    req.on('data', (chunk: Buffer) => {
      rawBytes += chunk.length;
    });
  }
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      decodedBytes += chunk.length;
      if (decodedBytes > limits.maxBytes || rawBytes > limits.maxBytes) {
        throw tooLarge(limits.maxBytes, makeDecompressor ? 'decompressed body' : 'body');
      }
      limits.reserve(chunk.length);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      throw new HttpError(400, `the body is not valid ${encoding} data: ${(error as Error).message}`);
    }
    throw error;
  }
  return Buffer.concat(chunks, decodedBytes);
}

function tooLarge(maxBytes: number, what: string): HttpError {
  return new HttpError(413, `${what} is larger than the limit of ${maxBytes} bytes (FLYWHEEL_MAX_BODY_BYTES)`);
}

/**
 * After an early answer (413, 503), lets the rest of the upload drain so the client can read
 * the answer, without keeping it; closes the connection if far more keeps coming.
 */
export function discardRest(req: IncomingMessage, maxBytes: number): void {
  if (req.complete) return;
  req.unpipe();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 4 * maxBytes) req.socket.destroy();
  });
  req.resume();
}
