// `flywheel purge --project NAME [--yes]`: deletes everything of a project, with progress on stderr.
import { createInterface } from 'node:readline/promises';
import type { Config } from '../config/config.ts';
import { findProject } from '../store/access/projects.ts';
import { purgeProject } from '../store/access/purge.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';
import { projectName, withDatabase } from './keys.ts';

export const PURGE_COMMAND: Command = {
  summary: "Delete everything of a project: its keys, telemetry, interactions, scores, patterns and knowledge",
  usage: ['flywheel purge --project NAME [--yes]'],
  uses: ['store', 'runtime'],
  options: {
    project: { type: 'string', help: 'the project to delete' },
    yes: { type: 'boolean', help: 'do not ask for confirmation (required when not on a terminal)' },
  },
  run: runPurge,
};

async function runPurge(config: Config, { values }: CommandArgs): Promise<void> {
  const project = projectName(typeof values.project === 'string' ? values.project : undefined, true) as string;
  if (values.yes !== true) await confirm(project);
  await withDatabase(
    config,
    async (db) => {
      const found = await findProject(db, project);
      if (found === null) throw new Error(`no project named '${project}'`);
      process.stderr.write(`purging project '${project}' (id ${found.id})\n`);
      const deleted = await purgeProject(db, found.id, ({ table, deleted: n, done }) => {
        if (done) process.stderr.write(`  ${table}: ${n} row(s) deleted\n`);
        else process.stderr.write(`  ${table}: ${n} row(s) so far\n`);
      });
      const total = [...deleted.values()].reduce((a, b) => a + b, 0);
      process.stdout.write(`purged project '${project}': ${total} row(s) deleted${deleted.has('projects') ? '' : ' (the default project itself stays)'}\n`);
    },
    'purge',
  );
}

/** Asks on a terminal for the project's name to be typed again; refuses when there is no terminal. */
async function confirm(project: string): Promise<void> {
  if (!process.stdin.isTTY) throw new UsageError(`refusing to purge '${project}' without --yes (no terminal to confirm on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`This deletes every row of project '${project}' and cannot be undone. Type its name to confirm: `);
    if (answer.trim() !== project) throw new UsageError('not confirmed; nothing deleted');
  } finally {
    rl.close();
  }
}
