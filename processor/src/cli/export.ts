// `flywheel export --format openai-chat|preference --agent A`: a training dataset as NDJSON, to
// --out FILE or stdout. Attaches to the database like `flywheel keys`; writes with backpressure
// (the next batch is read only once the file has taken the last), and counts lines on stderr
// when stderr is a terminal.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { datasetLines } from '../dataset/lines.ts';
import { DATASET_FORMATS, type DatasetFormat, datasetRequest, formatProblem } from '../dataset/request.ts';
import { createLogger } from '../runtime/logger.ts';
import { DEFAULT_PROJECT, findProject } from '../store/access/projects.ts';
import { attachDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';

export const EXPORT_COMMAND: Command = {
  summary: 'Write a training dataset (OpenAI chat or preference fine-tuning JSONL)',
  usage: ['flywheel export --format openai-chat|preference --agent NAME [--project NAME] [--since T] [--until T] [--min-quality Q] [--split train|validation] [--validation-fraction F] [--out FILE]'],
  uses: ['store', 'runtime'],
  options: {
    format: { type: 'string', help: 'openai-chat (gate-eligible interactions) or preference (feedback corrections)' },
    agent: { type: 'string', help: 'the agent (name or id) whose interactions to export' },
    project: { type: 'string', help: "the project (default: the local project, 'default')" },
    since: { type: 'string', help: 'interactions started at or after this ISO 8601 time' },
    until: { type: 'string', help: 'interactions started before this ISO 8601 time' },
    'min-quality': { type: 'string', help: 'openai-chat: every scored dimension at least this (0..1)' },
    split: { type: 'string', help: 'train or validation: only that side of the split by hash of the interaction id' },
    'validation-fraction': { type: 'string', help: 'share of interactions in the validation split (default 0.1)' },
    out: { type: 'string', help: 'the file to write (default: stdout)' },
  },
  run: runExport,
};

async function runExport(config: Config, { values }: CommandArgs): Promise<void> {
  const string = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const format = string('format');
  if (format === undefined || !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${DATASET_FORMATS.join(', ')}${format === undefined ? '' : `, got '${format}'`}`);
  }
  const parsed = datasetRequest.safeParse({
    agent: string('agent') ?? '',
    since: string('since'),
    until: string('until'),
    minQuality: string('min-quality'),
    split: string('split'),
    validationFraction: string('validation-fraction'),
  });
  if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error));
  const problem = formatProblem(format as DatasetFormat, parsed.data);
  if (problem !== null) throw new UsageError(problem);
  const projectName = string('project') ?? DEFAULT_PROJECT.name;
  const log = createLogger(config.logLevel);
  const database = await attachDatabase(config, log);
  try {
    const pool = database.createPool('export', 1);
    await migrate(pool);
    const project = await findProject(pool, projectName);
    if (project === null) throw new Error(`no project named '${projectName}'`);
    const out: Writable = string('out') === undefined ? process.stdout : createWriteStream(string('out') as string);
    const progress = process.stderr.isTTY ? (n: number) => process.stderr.write(`\rexported ${n} examples`) : () => undefined;
    let count = 0;
    for await (const line of datasetLines(pool, project.id, format as DatasetFormat, parsed.data)) {
      if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
      count += 1;
      if (count % 1000 === 0) progress(count);
    }
    if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}exported ${count} examples\n`);
  } finally {
    await database.close();
  }
}
