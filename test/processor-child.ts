// The processor as its own process (`flywheel serve` on DATABASE_URL), for tests that kill it,
// send it signals, run two of it, or read everything it logs; and senders that keep posting
// OTLP batches to it as exporters do (retrying the same batch after 503 or a lost connection).
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli-process.ts';
import { freePort } from './harness.ts';
import { agentTurn, tracesRequest } from './otlp-json-builder.ts';

export interface ChildProcessor {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `flywheel serve` on a free port and resolves once it says where it listens. */
export async function spawnProcessor(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildProcessor> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLYWHEEL_') && k !== 'DATABASE_URL'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...inherited, DATABASE_URL: databaseUrl, FLYWHEEL_PORT: String(await freePort()), FLYWHEEL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      output += d;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

/** Stops a child processor that is still running (SIGTERM) and waits for it to exit. */
export async function stopChild(p: ChildProcessor | undefined): Promise<void> {
  if (!p) return;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

export interface SentBatch {
  traceIds: string[];
  spanCount: number;
  acknowledged: boolean;
}

/**
 * `clients` concurrent senders, each posting batches of `turnsPerBatch` agent turns (4 spans
 * each) to `target()` until stop(); a batch answered 503/429 or whose connection failed is
 * sent again, byte for byte, after `retryMs`, as an OTLP exporter would, until it gets 200.
 * stop() lets every sender finish the batch it holds (so every batch ends acknowledged).
 */
export function sustainedSenders(target: () => string, options: { clients: number; turnsPerBatch: number; retryMs: number }) {
  const batches: SentBatch[] = [];
  const statuses = new Map<string, number>();
  const retryAfter = new Set<string | null>();
  let stopping = false;
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const sender = async () => {
    while (!stopping) {
      const turns = Array.from({ length: options.turnsPerBatch }, () => agentTurn());
      const batch: SentBatch = { traceIds: turns.map((t) => t.traceId), spanCount: turns.length * 4, acknowledged: false };
      batches.push(batch);
      const body = JSON.stringify(tracesRequest(turns.flatMap((t) => [t.root, ...t.children])));
      for (;;) {
        try {
          const r = await fetch(`${target()}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await r.arrayBuffer();
          count(String(r.status));
          if (r.status === 200) {
            batch.acknowledged = true;
            break;
          }
          if (r.status !== 503 && r.status !== 429) throw new Error(`the processor answered ${r.status}`);
          retryAfter.add(r.headers.get('retry-after'));
        } catch (error) {
          if ((error as Error).message.startsWith('the processor answered')) throw error;
          count('connection failed');
        }
        await new Promise((r) => setTimeout(r, options.retryMs));
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, sender));
  return {
    batches,
    statuses,
    retryAfter,
    acknowledgedSpans: () => batches.filter((b) => b.acknowledged).reduce((n, b) => n + b.spanCount, 0),
    async stop() {
      stopping = true;
      await running;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
