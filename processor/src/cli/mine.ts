// `flywheel mine`: a mining pass on demand, outside the schedule. Without --agent it mines the
// agents waiting in the queue (what the next scheduled pass would do) or, with --all, every agent
// of the project with interactions in the window; it prints one line per agent, or JSON.
import type { Config } from '../config/config.ts';
import { DAY_MS } from '../mine/forecast.ts';
import { embedderOf, patternSummarizer } from '../mine/index.ts';
import { minePass } from '../mine/worker.ts';
import { createLogger } from '../runtime/logger.ts';
import { DEFAULT_PROJECT, findProject } from '../store/access/projects.ts';
import { attachDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { agentsSince, type QueuedAgent, queuedAgents } from '../store/mine/queue.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';

export const MINE_COMMAND: Command = {
  summary: 'Run a mining pass now: patterns, topic clusters and forecasts',
  usage: ['flywheel mine [--project NAME] [--agent NAME | --all] [--json]'],
  uses: ['store', 'runtime', 'mine', 'score'],
  options: {
    project: { type: 'string', help: "the project (default: the local project, 'default')" },
    agent: { type: 'string', help: 'mine this agent whether or not it has new scores' },
    all: { type: 'boolean', help: 'mine every agent of the project with interactions in the window, deriving the facts of all of them (run once after upgrading)' },
    json: { type: 'boolean', help: 'print the results as JSON' },
  },
  run: runMine,
};

async function runMine(config: Config, { values }: CommandArgs): Promise<void> {
  const agent = typeof values.agent === 'string' ? values.agent : undefined;
  if (agent !== undefined && values.all === true) throw new UsageError('--agent and --all exclude each other');
  const projectName = typeof values.project === 'string' ? values.project : DEFAULT_PROJECT.name;
  const log = createLogger(config.logLevel);
  const database = await attachDatabase(config, log);
  try {
    const pool = database.createPool('mine', 2);
    await migrate(pool);
    const project = await findProject(pool, projectName);
    if (project === null) throw new Error(`no project named '${projectName}'`);
    const queued = (await queuedAgents(pool)).filter((q) => q.projectId === project.id);
    const upTo = (name: string) => queued.find((q) => q.agent === name)?.upTo ?? null;
    let agents: QueuedAgent[];
    if (agent !== undefined) agents = [{ projectId: project.id, agent, upTo: upTo(agent) }];
    else if (values.all === true) {
      const names = await agentsSince(pool, project.id, new Date(Date.now() - config.mineWindowDays * DAY_MS));
      agents = names.map((name) => ({ projectId: project.id, agent: name, upTo: upTo(name) }));
    } else agents = queued;
    const stopping = new AbortController();
    // Asked for by name (or --all): derive every fact of the window again, not only the queued ones.
    const results = await minePass(pool, config, log, stopping.signal, agents, {
      all: agent !== undefined || values.all === true,
      summarizer: patternSummarizer(config),
      embedder: embedderOf(config),
    });
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(results.map((r) => ({
        agent: r.agent, interactions: r.interactions, topicsAssigned: r.topicsAssigned, summarized: r.summarized, patterns: r.patterns.length, found: r.found,
        resolved: r.resolved, reopened: r.reopened, forecasts: r.forecasts, ms: Math.round(r.ms),
      })), null, 2)}\n`);
      return;
    }
    if (results.length === 0) process.stdout.write('no agent to mine (nothing new since the last pass; --all mines every agent)\n');
    for (const r of results) {
      const alerts = (['accuracy', 'satisfaction'] as const).filter((m) => r.forecasts[m].alert);
      process.stdout.write(
        `${r.agent}: ${r.interactions} interactions, ${r.patterns.length} open patterns (${r.found} new, ${r.resolved} resolved), ` +
          `${r.topicsAssigned} inputs clustered${alerts.length > 0 ? `, ALERT: ${alerts.join(' and ')} degrading` : ''} (${Math.round(r.ms)} ms)\n`,
      );
    }
  } finally {
    await database.close();
  }
}
