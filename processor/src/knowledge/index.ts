// The knowledge stage: config slice (config.ts), pure core (candidates.ts: what an interaction
// teaches; validation.ts: merge, supersede or flag against what is known), and the `knowledge`
// Stage, whose one periodic job (worker.ts) drains knowledge_queue and applies the batch commit rule.
import type { Stage } from '../runtime/stage.ts';
import { KNOWLEDGE_SETTINGS } from './config.ts';
import { updateKnowledge } from './worker.ts';

export { extractCandidates, questionKey } from './candidates.ts';
export { KNOWLEDGE_SETTINGS, type KnowledgeConfig } from './config.ts';
export { confidenceOf, integrate } from './validation.ts';

/** Turns scored interactions into knowledge candidates and commits the confident ones in batches. */
export const knowledge: Stage<typeof KNOWLEDGE_SETTINGS> = {
  name: 'knowledge',
  settings: KNOWLEDGE_SETTINGS,
  // The job's run holds one connection at a time (the periodic runtime adds its claim's own).
  connections: () => 1,
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
    ];
  },
};
