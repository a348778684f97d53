// The knowledge stage: config slice (config.ts), pure core (candidates.ts: what an interaction
// teaches; validation.ts: merge, supersede or flag against what is known; split.ts and
// sources.ts: a source's sections, schedule and versions), and the `knowledge` Stage, whose
// periodic jobs drain knowledge_queue and apply the batch commit rule (worker.ts) and refresh
// the knowledge sources that are due (source-refresh.ts).
import type { Stage } from '../runtime/stage.ts';
import { KNOWLEDGE_SETTINGS } from './config.ts';
import { refreshSources } from './source-refresh.ts';
import { updateKnowledge } from './worker.ts';

export { extractCandidates, questionKey } from './candidates.ts';
export { KNOWLEDGE_SETTINGS, type KnowledgeConfig } from './config.ts';
export { confidenceOf, integrate } from './validation.ts';
export { parseUpdateFrequency, planSourceUpdate, retryDelaySeconds } from './sources.ts';
export { formatOf, splitContent } from './split.ts';

/** Turns scored interactions into knowledge candidates, commits the confident ones in batches, and keeps sources' items current. */
export const knowledge: Stage<typeof KNOWLEDGE_SETTINGS> = {
  name: 'knowledge',
  settings: KNOWLEDGE_SETTINGS,
  // Each job's run holds one connection at a time, and the two may run at once (the periodic
  // runtime adds each claim's own).
  connections: () => 2,
  start: () => ({ stop: async () => undefined }),
  periodic(config) {
    return [
      {
        name: 'knowledge.update',
        everyMs: config.knowledgePollMs,
        run: async ({ pool, config: c }, signal) => {
          await updateKnowledge(pool, c, signal);
        },
      },
      {
        name: 'knowledge.sources',
        everyMs: config.sourcesPollMs,
        run: async ({ pool, config: c, log }, signal) => {
          await refreshSources(pool, c, log, signal);
        },
      },
    ];
  },
};
