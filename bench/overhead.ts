// Latency the openai instrumentation adds per call: ours and the three peers, each against the
// uninstrumented client, in the same run, on the same local OpenAI-compatible server.
//
//   npm run bench:overhead     (about two minutes; BENCH_ROUNDS=6 and BENCH_CALLS=250 set the size)
//
// How: one process per configuration and round (each round shuffles the order), each with the
// real OTel SDK (batch processors and an exporter that discards: export costs the same for all
// and happens off the call path) and `openai` 6, the newest major every peer supports. In that
// process the bare and the instrumented `create` take turns, call by call: the instrumentation's
// wrapper and the original it wraps (shimmer keeps it as `__original`) are swapped on the
// prototype, so both sides run the same code, warmed alike, under the same machine load.
// Calls: chat completions with a system prompt, a question and two tool definitions, plain and
// streamed (22 chunks, with the usage chunk). Per call, the CPU time of the calling thread and
// the wall-clock time are taken; a configuration's figure is the median of what each
// instrumented call took more than the bare call beside it, and the printed value the median
// over rounds. The ratio uses CPU time:
// the instrumentation does no I/O on the call path, so on an idle machine both agree, and CPU
// time stays true when other processes compete for the cores (wall-clock then carries noise).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { TOOL_DEFINITIONS } from '../examples/support-agent/tools.ts';
import { chatCompletion, chatStreamEvents } from '../instrumentation/test/openai-fixtures.ts';
import { startOpenAIServer } from '../instrumentation/test/openai-server.ts';

type Instrumentation = 'none' | 'ours' | 'contrib' | 'traceloop' | 'openinference';
type Mode = 'plain' | 'stream';

interface Config {
  instrumentation: Instrumentation;
  capture: boolean;
}

/** Median microseconds per call: CPU time of the calling thread, and wall-clock. */
interface Timing {
  cpu: number;
  wall: number;
}

/** One configuration in one process, per mode: the median bare call, and the median of what each instrumented call took more than the bare call beside it. */
type Measurement = Record<Mode, { bare: Timing; added: Timing }>;

const LABELS: Record<Instrumentation, string> = {
  none: 'uninstrumented',
  ours: '@agent-flywheel/instrumentation',
  contrib: '@opentelemetry/instrumentation-openai 0.22.0',
  traceloop: '@traceloop/instrumentation-openai 0.27.0',
  openinference: '@arizeai/openinference-instrumentation-openai 4.2.7',
};
const PEERS: Instrumentation[] = ['contrib', 'traceloop', 'openinference'];
const MODES: Mode[] = ['plain', 'stream'];
/** The first one (bare against bare) is the control: what "added" reads when nothing is added. */
const CONFIGS: Config[] = [
  { instrumentation: 'none', capture: false },
  ...(['ours', ...PEERS] as Instrumentation[]).flatMap((instrumentation) => [
    { instrumentation, capture: false },
    { instrumentation, capture: true },
  ]),
];

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CALLS = Number(process.env.BENCH_CALLS ?? 250);
const CALLS_PER_MODE: Record<Mode, number> = { plain: CALLS, stream: Math.round(CALLS / 2) };
const WARMUP = 100;

const REQUEST = {
  model: 'gpt-4o-mini',
  messages: [
    {
      role: 'system' as const,
      content:
        'You are the order-support agent of an online shop. Use the tools to look up orders and help-center ' +
        'articles. Answer in one or two sentences, politely, and never invent order data.',
    },
    { role: 'user' as const, content: 'Hello, where is my order A-1001? It was supposed to arrive yesterday.' },
  ],
  tools: TOOL_DEFINITIONS,
  temperature: 0.2,
};

const STREAM_PIECES = 'Your order A-1001 shipped with DHL on Tuesday and should arrive on 2 May; here is the tracking link.'
  .split(' ')
  .map((word) => `${word} `);

const require = createRequire(import.meta.url);
const keyOf = (config: Config) => `${config.instrumentation}/${config.capture ? 'on' : 'off'}`;

// --- the run: a local server, and one process per configuration and round ---

async function main(): Promise<void> {
  const server = await startOpenAIServer((request) =>
    request.body.stream ? { sse: chatStreamEvents(STREAM_PIECES) } : chatCompletion('Your order A-1001 shipped with DHL on Tuesday.'),
  );
  const results = new Map<string, Measurement[]>();
  const started = Date.now();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const config of shuffled(CONFIGS)) {
        const measurement = await measure(config, server.baseURL);
        results.set(keyOf(config), [...(results.get(keyOf(config)) ?? []), measurement]);
      }
      process.stderr.write(`round ${round}/${ROUNDS} done (${Math.round((Date.now() - started) / 1000)} s)\n`);
    }
  } finally {
    await server.close();
  }
  report(results);
}

function measure(config: Config, baseURL: string): Promise<Measurement> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OTEL|TRACELOOP|OPENINFERENCE)_/.test(k)),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--measure', JSON.stringify({ config, baseURL })],
      { env, maxBuffer: 1 << 20, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${keyOf(config)} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as Measurement);
      },
    );
  });
}

function report(results: Map<string, Measurement[]>): void {
  const added = (config: Config, mode: Mode, field: keyof Timing = 'cpu') =>
    median((results.get(keyOf(config)) ?? []).map((m) => m[mode].added[field]));
  const bare = (mode: Mode, field: keyof Timing) => median([...results.values()].flat().map((m) => m[mode].bare[field]));
  const fmt = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`.padStart(9);
  console.log(
    `\nopenai 6 chat.completions.create on a local server: ${CALLS_PER_MODE.plain} plain and ${CALLS_PER_MODE.stream} ` +
      `streamed calls per side, configuration and round; median of ${ROUNDS} rounds ` +
      `(load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores)`,
  );
  console.log(
    `bare client, per call: plain ${bare('plain', 'cpu').toFixed(0)} µs CPU / ${bare('plain', 'wall').toFixed(0)} µs wall, ` +
      `streamed ${bare('stream', 'cpu').toFixed(0)} µs CPU / ${bare('stream', 'wall').toFixed(0)} µs wall\n`,
  );
  console.log(
    `${'µs added per call'.padEnd(56)}${'CPU plain'.padStart(10)}${'stream'.padStart(9)}${'wall plain'.padStart(13)}${'stream'.padStart(9)}`,
  );
  const row = (label: string, config: Config) =>
    console.log(
      `  ${label.padEnd(54)}${fmt(added(config, 'plain')).padStart(10)}${fmt(added(config, 'stream'))}` +
        `${fmt(added(config, 'plain', 'wall')).padStart(13)}${fmt(added(config, 'stream', 'wall'))}`,
    );
  row('control: bare against bare (the noise floor)', CONFIGS[0]!);
  for (const capture of [false, true]) {
    console.log(`content capture ${capture ? 'on' : 'off'}`);
    for (const instrumentation of ['ours', ...PEERS] as Instrumentation[]) row(LABELS[instrumentation], { instrumentation, capture });
  }
  console.log('\nratio ours / fastest peer (CPU µs added per call; the target is <= 1.0)');
  for (const capture of [false, true]) {
    for (const mode of MODES) {
      const ours = added({ instrumentation: 'ours', capture }, mode);
      const [fastest] = PEERS.map((p) => ({ p, added: added({ instrumentation: p, capture }, mode) })).sort(
        (a, b) => a.added - b.added,
      );
      const ratio = fastest!.added > 0 ? (ours / fastest!.added).toFixed(2) : 'n/a (the peer adds nothing measurable)';
      console.log(`  capture ${capture ? 'on ' : 'off'} ${mode.padEnd(7)} ${ratio.padEnd(6)} fastest peer: ${LABELS[fastest!.p]}`);
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

// --- one configuration, in its own process ---

type OpenAIModule = typeof import('openai-v6');
type Create = (...args: unknown[]) => unknown;

async function measureInProcess(config: Config, baseURL: string): Promise<void> {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const { BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const discard = {
    export: (_: unknown, done: (r: { code: number }) => void) => done({ code: 0 }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const sdk = new NodeSDK({
    serviceName: 'overhead-bench',
    spanProcessors: [new BatchSpanProcessor({ exporter: discard })],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: discard })],
    metricReaders: [],
    resourceDetectors: [],
  });
  sdk.start();
  const openai = require('openai-v6') as OpenAIModule;
  const prototype = openai.OpenAI.Chat.Completions.prototype as unknown as { create: Create };
  const original = prototype.create;
  await instrument(config, openai);
  const wrapped = prototype.create;
  if (config.instrumentation !== 'none' && (wrapped as { __original?: unknown }).__original !== original) {
    throw new Error(`${keyOf(config)} did not wrap create through shimmer`);
  }
  const sides: Create[] = [original, wrapped];
  const client = new openai.OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  const calls: Record<Mode, () => Promise<unknown>> = {
    plain: () => client.chat.completions.create(REQUEST),
    stream: async () => {
      const chunks = await client.chat.completions.create({ ...REQUEST, stream: true, stream_options: { include_usage: true } });
      for await (const _ of chunks);
    },
  };
  const result = {} as Measurement;
  for (const mode of MODES) {
    const cpu: [number[], number[]] = [[], []];
    const wall: [number[], number[]] = [[], []];
    for (let i = 0; i < WARMUP + CALLS_PER_MODE[mode]; i++) {
      for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) {
        prototype.create = sides[side]!;
        const startCpu = threadCpuMicros();
        const start = performance.now();
        await calls[mode]();
        if (i < WARMUP) continue;
        wall[side]!.push((performance.now() - start) * 1000);
        cpu[side]!.push(threadCpuMicros() - startCpu);
      }
    }
    // Paired: each instrumented call against the bare call made next to it, so slow drift
    // (frequency scaling, a neighbour process) cancels out within the pair.
    const pairDiffs = (times: [number[], number[]]) => times[1].map((t, i) => t - times[0][i]!);
    result[mode] = {
      bare: { cpu: median(cpu[0]), wall: median(wall[0]) },
      added: { cpu: median(pairDiffs(cpu)), wall: median(pairDiffs(wall)) },
    };
  }
  await sdk.shutdown();
  process.stdout.write(JSON.stringify(result));
}

function threadCpuMicros(): number {
  const { user, system } = process.threadCpuUsage();
  return user + system;
}

async function instrument(config: Config, openai: OpenAIModule): Promise<void> {
  const version = (require('openai-v6/version') as { VERSION: string }).VERSION;
  switch (config.instrumentation) {
    case 'none':
      return;
    case 'ours': {
      const { OpenAIInstrumentation } = await import('../instrumentation/src/instrumentation.ts');
      const { setCaptureContent } = await import('../instrumentation/src/capture.ts');
      setCaptureContent(config.capture);
      new OpenAIInstrumentation().patch(openai);
      return;
    }
    case 'contrib': {
      const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
      const instrumentation = new OpenAIInstrumentation({ captureMessageContent: config.capture });
      // As registerInstrumentations() would: creates its metric instruments (on the no-op
      // meter, as no MeterProvider is set up, so its metrics cost nothing here).
      instrumentation.setMeterProvider(metrics.getMeterProvider());
      // Its hook matches the module name `openai` only; this copy is `openai-v6`.
      for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openai, version);
      return;
    }
    case 'traceloop': {
      const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
      new OpenAIInstrumentation({ traceContent: config.capture }).manuallyInstrument(openai.OpenAI as never);
      return;
    }
    case 'openinference': {
      const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
      const hidden = !config.capture;
      new OpenAIInstrumentation({
        traceConfig: { hideInputs: hidden, hideOutputs: hidden, hideInputMessages: hidden, hideOutputMessages: hidden, hideLLMTools: hidden },
      }).manuallyInstrument(openai as never);
      return;
    }
  }
}

if (process.argv[2] === '--measure') {
  const { config, baseURL } = JSON.parse(process.argv[3] ?? '{}') as { config: Config; baseURL: string };
  await measureInProcess(config, baseURL);
} else {
  await main();
}
