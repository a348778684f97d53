// `flywheel projects list | set-retention`: the projects and how long their raw telemetry is kept.
import type { Config } from '../config/config.ts';
import { listProjects, setProjectRetention } from '../store/access/projects.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';
import { projectName, withDatabase } from './keys.ts';

export const PROJECTS_COMMAND: Command = {
  summary: 'List projects and set how long their raw telemetry is kept',
  usage: ['flywheel projects list [--json]', 'flywheel projects set-retention --project NAME --days N|default'],
  // retention: list shows what FLYWHEEL_RETENTION_DAYS (or --retention-days) gives projects without their own.
  uses: ['store', 'runtime', 'retention'],
  options: {
    project: { type: 'string', help: 'set-retention: the project' },
    days: { type: 'string', help: 'set-retention: days (1 to 36500) raw spans, logs and metric points are kept; default: follow FLYWHEEL_RETENTION_DAYS' },
    json: { type: 'boolean', help: 'list: one JSON array instead of a table' },
  },
  positionals: true,
  run: runProjects,
};

/** The --days value: a whole number of days from 1 to 36500, or null for `default`. */
export function retentionDaysOf(value: string | undefined): number | null {
  if (value === 'default') return null;
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 36_500) {
    throw new UsageError(`--days must be a whole number of days from 1 to 36500, or default${value === undefined ? '' : `, got '${value}'`}`);
  }
  return Number(value);
}

async function runProjects(config: Config, { values, positionals }: CommandArgs): Promise<void> {
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`projects ${action} takes no words, got '${rest[0]}'`);
  const string = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const allowOnly = (...flags: string[]) => {
    const extra = Object.keys(values).filter((f) => values[f] !== undefined && !flags.includes(f));
    if (extra.length > 0) throw new UsageError(`projects ${action}: --${extra[0]} does not apply here`);
  };
  if (action === 'list') {
    allowOnly('json');
    await withDatabase(
      config,
      async (db) => {
        const projects = await listProjects(db);
        if (values.json === true) {
          process.stdout.write(`${JSON.stringify(projects, null, 2)}\n`);
          return;
        }
        const fallback = config.retentionDays === undefined ? 'forever' : `${config.retentionDays} days`;
        const lines = projects.map(
          (p) => `${String(p.id).padEnd(4)}  ${p.name.padEnd(24)}  ${p.retentionDays === null ? `default (${fallback})` : `${p.retentionDays} days`}`,
        );
        process.stdout.write(`${['ID    NAME                      RAW TELEMETRY KEPT', ...lines].join('\n')}\n`);
      },
      'projects',
    );
    return;
  }
  if (action === 'set-retention') {
    allowOnly('project', 'days');
    const project = projectName(string('project'), true) as string;
    const days = retentionDaysOf(string('days'));
    await withDatabase(
      config,
      async (db) => {
        if (!(await setProjectRetention(db, project, days))) throw new Error(`no project named '${project}'`);
        process.stdout.write(
          days === null
            ? `project '${project}' keeps raw telemetry as FLYWHEEL_RETENTION_DAYS says (unset: forever)\n`
            : `project '${project}' keeps raw telemetry ${days} days\n`,
        );
      },
      'projects',
    );
    return;
  }
  throw new UsageError(action === undefined ? 'say what to do: list or set-retention' : `unknown projects action '${action}': use list or set-retention`);
}
