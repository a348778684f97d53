// Every flywheel dashboard with the file it is written to (dashboards/json/<file>), and the
// JSON text `npm run dashboards` writes: the builder's output, keys in the order built, 2-space
// indented, a final newline.
import { healthDashboard } from './health.ts';
import { interactionsDashboard } from './interactions.ts';
import { knowledgeDashboard } from './knowledge.ts';
import { overviewDashboard } from './overview.ts';
import { qualityDashboard } from './quality.ts';

export const DASHBOARDS = [
  { file: 'overview.json', build: overviewDashboard },
  { file: 'quality.json', build: qualityDashboard },
  { file: 'knowledge.json', build: knowledgeDashboard },
  { file: 'interactions.json', build: interactionsDashboard },
  { file: 'health.json', build: healthDashboard },
] as const;

/** The JSON text of each dashboard file, by file name. */
export function renderDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map(({ file, build }) => [file, `${JSON.stringify(build().build(), null, 2)}\n`]));
}
