// What the benchmarks share: the processor as its own process (so its memory is its own),
// and several clients posting prepared OTLP protobuf batches to it.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/harness.ts';

export interface ProcessorProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `flywheel serve` on DATABASE_URL and a free port, and waits until /readyz answers. */
export async function startProcessorProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ProcessorProcess> {
  const port = await freePort();
  const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'processor', 'bin', 'flywheel.js');
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, FLYWHEEL_PORT: String(port), FLYWHEEL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('the processor did not become ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    async stop() {
      const closed = new Promise((r) => child.on('close', r));
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/**
 * Posts every batch to /v1/traces from `clients` concurrent clients, retrying after
 * 503/429 as an OTLP exporter would; returns how many retries that took.
 */
export async function postBatches(url: string, batches: Uint8Array[], clients: number): Promise<{ retries: number }> {
  let next = 0;
  let retries = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        for (;;) {
          const response = await fetch(`${url}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body,
          });
          await response.arrayBuffer();
          if (response.status === 200) break;
          if (response.status !== 503 && response.status !== 429) throw new Error(`processor answered ${response.status}`);
          retries++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  return { retries };
}
