// Both runs of one seeded simulation in one process: the context model, the instrumented agent
// and the real processor (embedded Postgres or DATABASE_URL), the world's documents registered as
// knowledge sources; first the weeks with the loop off, then the same weeks with it on.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import { register } from '@agent-flywheel/instrumentation';
import { loadConfig } from '../../processor/src/config/config.ts';
import type { Logger } from '../../processor/src/runtime/logger.ts';
import { startProcessor } from '../../processor/src/service.ts';
import { startContextModel } from './context-model.ts';
import { detectPlanted, type PlantedDetection } from './patterns.ts';
import { type LoopDeps, publish, pull, registerSources, type RunResult, runWeeks, type SimSettings, sourcesReadAfter } from './run.ts';

/**
 * The processor settings of a simulation: stages that run every fraction of a second instead of
 * every few, so a simulated week's learning completes in seconds. Every one is an ordinary
 * setting a user could set; none exists for the simulation.
 */
export const SIM_PROCESSOR_SETTINGS: Record<string, string> = {
  FLYWHEEL_SCORE_SETTLE_MS: '400',
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

/**
 * Runs the simulation. `env` is the processor's environment (e.g. process.env for the embedded
 * default, or one with DATABASE_URL); `sourcesDir` is where the documents are published.
 */
export async function simulate(
  settings: SimSettings,
  options: { env: Record<string, string | undefined>; sourcesDir: string; log?: (line: string) => void; logger: Logger },
): Promise<Simulation> {
  const log = options.log ?? (() => undefined);
  const config = loadConfig({ ...options.env, FLYWHEEL_PORT: '0', FLYWHEEL_HOST: '127.0.0.1', ...SIM_PROCESSOR_SETTINGS });
  const processor = await startProcessor(config, options.logger);
  const model = await startContextModel();
  const flywheel = register({ serviceName: settings.agent, endpoint: processor.url, captureContent: true });
  const pool = processor.database.createPool('simulation', 1);
  try {
    // Required after register(), as an app loads it: the CommonJS hook patches it.
    const { OpenAI: Client } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
    const client = new Client({ apiKey: 'not-needed-locally', baseURL: model.baseURL, maxRetries: 0 });
    await mkdir(options.sourcesDir, { recursive: true });
    const deps: LoopDeps = { url: processor.url, pool, sourcesDir: options.sourcesDir, flush: () => flywheel.forceFlush() };
    const since = Date.now();
    await publish(options.sourcesDir, 0);
    await registerSources(deps, settings.agent);
    await sourcesReadAfter(deps, settings.agent, since);
    const initial = await pull(processor.url, settings.agent);
    log(`the agent starts with ${initial.items().length} knowledge items from the sources' first read`);
    const off = await runWeeks(settings, client, initial, null, log);
    const on = await runWeeks(settings, client, initial, deps, log);
    const planted = await detectPlanted(processor.url, pool, settings.agent, on.turns);
    return { settings, off, on, planted, processor: { url: processor.url, database: processor.database.description } };
  } finally {
    await flywheel.shutdown();
    await model.close();
    await processor.stop();
  }
}
