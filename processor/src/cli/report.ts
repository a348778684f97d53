// `flywheel report [--agent A] [--since T] [--until T] [--json] [--project NAME]`: the flywheel
// report (GET /api/report's answer) as an aligned table, or as JSON. Attaches to the database
// like `flywheel export`.
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { type FlywheelReport, flywheelReport, reportRequest } from '../mine/flywheel-report.ts';
import { LATENCY_CATEGORIES } from '../mine/latency.ts';
import { outcomesOf, REPORT_FIGURES, type ReportFigure, ReportPeriodError } from '../mine/report.ts';
import { createLogger } from '../runtime/logger.ts';
import { DEFAULT_PROJECT, findProject } from '../store/access/projects.ts';
import { attachDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';

export const REPORT_COMMAND: Command = {
  summary: 'Print the flywheel report: quality, trends, velocity and latency against the previous period',
  usage: ['flywheel report [--agent NAME] [--since T] [--until T] [--json] [--project NAME]'],
  uses: ['store', 'runtime'],
  options: {
    agent: { type: 'string', help: 'the agent (name or id) to report on (default: every agent of the project)' },
    since: { type: 'string', help: 'the period starts at this ISO 8601 time (default: 7 days before --until)' },
    until: { type: 'string', help: 'the period ends before this ISO 8601 time (default: now)' },
    json: { type: 'boolean', help: 'print the JSON of GET /api/report instead of a table' },
    project: { type: 'string', help: "the project (default: the local project, 'default')" },
  },
  run: runReport,
};

async function runReport(config: Config, { values }: CommandArgs): Promise<void> {
  const string = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const parsed = reportRequest.safeParse({ agent: string('agent'), since: string('since'), until: string('until') });
  if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error));
  const projectName = string('project') ?? DEFAULT_PROJECT.name;
  const log = createLogger(config.logLevel);
  const database = await attachDatabase(config, log);
  let report: FlywheelReport;
  try {
    const pool = database.createPool('report', 2);
    await migrate(pool);
    const project = await findProject(pool, projectName);
    if (project === null) throw new Error(`no project named '${projectName}'`);
    report = await flywheelReport(pool, project.id, parsed.data, new Date(), outcomesOf(config));
  } catch (error) {
    if (error instanceof ReportPeriodError) throw new UsageError(error.message);
    throw error;
  } finally {
    await database.close();
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
}

type Unit = 'count' | 'fraction' | 'rate' | 'days' | 'ms' | 'perDay' | 'perWeek';

/** How each figure reads in the table. */
const FIGURE_LINES: Readonly<Record<ReportFigure, { label: string; unit: Unit }>> = {
  interactions: { label: 'interactions', unit: 'count' },
  scored: { label: 'scored interactions', unit: 'count' },
  avgAccuracy: { label: 'average accuracy', unit: 'fraction' },
  avgSatisfaction: { label: 'average satisfaction', unit: 'fraction' },
  satisfactionTrend: { label: 'satisfaction trend', unit: 'perDay' },
  successRate: { label: 'success rate (satisfaction > {successAbove})', unit: 'rate' },
  failureRate: { label: 'failure rate (satisfaction < {failureBelow})', unit: 'rate' },
  improvementVelocity: { label: 'improvement velocity (success rate)', unit: 'perWeek' },
  trainingEligibleRate: { label: 'training-eligible rate', unit: 'rate' },
  knowledgeAgeDays: { label: 'knowledge age', unit: 'days' },
  responseTimeP50Ms: { label: 'response time p50', unit: 'ms' },
  responseTimeP95Ms: { label: 'response time p95', unit: 'ms' },
};

function format(x: number | null, unit: Unit, signed = false): string {
  if (x === null) return '-';
  const sign = signed && x > 0 ? '+' : '';
  switch (unit) {
    case 'count':
      return `${sign}${x}`;
    case 'fraction':
      return `${sign}${x.toFixed(3)}`;
    case 'rate':
      return `${sign}${(x * 100).toFixed(1)}${signed ? ' pt' : '%'}`;
    case 'days':
      return `${sign}${x.toFixed(1)} d`;
    case 'ms':
      return `${sign}${Math.round(x)} ms`;
    case 'perDay':
      return `${sign}${x.toFixed(4)}/day`;
    case 'perWeek':
      return `${sign}${(x * 100).toFixed(1)} pt/week`;
  }
}

/** Rows of cells as aligned columns: the first left-aligned, the rest right-aligned. */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   ').trimEnd());
}

/** The report as text for a terminal. */
export function reportTable(report: FlywheelReport): string {
  const lines = [
    `Flywheel report: ${report.agent === null ? 'all agents' : `agent ${report.agent}`}`,
    `period    ${report.since} .. ${report.until}`,
    `previous  ${report.previous.since} .. ${report.previous.until}`,
    '',
    ...columns([
      ['figure', 'this period', 'previous', 'change'],
      ...REPORT_FIGURES.map((name) => {
        const { unit } = FIGURE_LINES[name];
        const label = FIGURE_LINES[name].label
          .replace('{successAbove}', String(report.outcomes.successAbove))
          .replace('{failureBelow}', String(report.outcomes.failureBelow));
        const f = report.figures[name];
        return [label, format(f.value, unit), format(f.previous, unit), format(f.change, unit, true)];
      }),
    ]),
    '',
    `Latency of ${report.latency.interactions} interactions (the most recent, at most ${report.latency.scanLimit})`,
    ...columns([
      ['category', 'share', 'p50', 'p95', 'total'],
      ...LATENCY_CATEGORIES.map((c) => {
        const f = report.latency.categories[c];
        return [c, format(f.share, 'rate'), format(f.p50Ms, 'ms'), format(f.p95Ms, 'ms'), format(f.totalMs, 'ms')];
      }),
    ]),
  ];
  for (const [title, named] of [['tool', report.latency.tools], ['model', report.latency.models]] as const) {
    if (named.length === 0) continue;
    lines.push(
      '',
      ...columns([
        [title, 'calls', 'share', 'p50/call', 'p95/call'],
        ...named.slice(0, 10).map((n) => [n.name, String(n.calls), format(n.share, 'rate'), format(n.p50Ms, 'ms'), format(n.p95Ms, 'ms')]),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
