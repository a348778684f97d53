// Both runs of one seeded simulation in one process: the context model, the instrumented agent
// and the real processor (embedded Postgres or DATABASE_URL), the world's documents registered as
// knowledge sources; first the weeks with the loop off, then the same weeks with it on.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import { loadConfig } from '../../processor/src/config/config.ts';
import type { Logger } from '../../processor/src/runtime/logger.ts';
import { startProcessor } from '../../processor/src/service.ts';
import { startContextModel } from './context-model.ts';
import { detectPlanted, type PlantedDetection } from './patterns.ts';
import { type LoopDeps, publish, pull, registerSources, type RunResult, runWeeks, type SimSettings, sourcesServed } from './run.ts';

/**
 * The processor settings of a simulation: stages that run every fraction of a second instead of
 * every few, so a simulated week's learning completes in seconds. Every one is an ordinary
 * setting a user could set; none exists for the simulation.
 */
export const SIM_PROCESSOR_SETTINGS: Record<string, string> = {
  // Each conversation's spans and feedback are flushed together when it ends (run.ts), so an
  // interaction is scored once, with its whole conversation and its feedback there.
  FLYWHEEL_SCORE_SETTLE_MS: '1000',
  FLYWHEEL_SCORE_POLL_MS: '100',
  FLYWHEEL_SCORE_ABANDON_MS: '1000',
  FLYWHEEL_KNOWLEDGE_POLL_MS: '250',
  FLYWHEEL_SOURCES_POLL_MS: '200',
  FLYWHEEL_MINE_INTERVAL_MS: '1000',
};

export interface Simulation {
  settings: SimSettings;
  off: RunResult;
  on: RunResult;
  planted: PlantedDetection;
  /** Where the processor listened and stored. */
  processor: { url: string; database: string };
}

export interface SimOptions {
  /** The processor's environment: process.env for the embedded default, or one with DATABASE_URL. */
  env: Record<string, string | undefined>;
  /** The port the processor listens on, where the caller's register() exports to. */
  port: number;
  /** The caller's register() handle's forceFlush. */
  flush(): Promise<void>;
  /** Where the documents are published. */
  sourcesDir: string;
  log?: (line: string) => void;
  logger: Logger;
}

/**
 * Runs the simulation. The caller registers the instrumentation once per process (an SDK is
 * started once), exporting to http://127.0.0.1:<port>, before this loads `openai`.
 */
export async function simulate(settings: SimSettings, options: SimOptions): Promise<Simulation> {
  const log = options.log ?? (() => undefined);
  const config = loadConfig({ ...options.env, FLYWHEEL_PORT: String(options.port), FLYWHEEL_HOST: '127.0.0.1', ...SIM_PROCESSOR_SETTINGS });
  const processor = await startProcessor(config, options.logger);
  const model = await startContextModel();
  const pool = processor.database.createPool('simulation', 1);
  try {
    // Required after register(), as an app loads it: the CommonJS hook patches it.
    const { OpenAI: Client } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
    const client = new Client({ apiKey: 'not-needed-locally', baseURL: model.baseURL, maxRetries: 0 });
    await mkdir(options.sourcesDir, { recursive: true });
    const deps: LoopDeps = { url: processor.url, pool, sourcesDir: options.sourcesDir, flush: options.flush };
    await publish(options.sourcesDir, 0);
    await registerSources(deps, settings.agent);
    await sourcesServed(deps, settings.agent, 0);
    const initial = await pull(processor.url, settings.agent);
    log(`the agent starts with ${initial.items().length} knowledge items from the sources' first read`);
    const off = await runWeeks(settings, client, initial, null, log);
    const on = await runWeeks(settings, client, initial, deps, log);
    const planted = await detectPlanted(processor.url, pool, settings.agent, on.turns);
    return { settings, off, on, planted, processor: { url: processor.url, database: processor.database.description } };
  } finally {
    await options.flush();
    await model.close();
    await processor.stop();
  }
}
