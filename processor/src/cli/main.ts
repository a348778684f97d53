// The `flywheel` command line: `serve` and `migrate`, each with --help. Every setting can be
// given as a flag or as its env var (see `flywheel serve --help` or the README's table).
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig, SLICES, type SliceName } from '../config/config.ts';
import type { Setting } from '../config/setting.ts';
import { createLogger } from '../runtime/logger.ts';
import { startProcessor } from '../service.ts';
import { attachDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { type Command, UsageError } from './command.ts';
import { EXPORT_COMMAND } from './export.ts';
import { KEYS_COMMAND } from './keys.ts';
import { MINE_COMMAND } from './mine.ts';
import { PROJECTS_COMMAND } from './projects.ts';
import { PURGE_COMMAND } from './purge.ts';
import { REPORT_COMMAND } from './report.ts';

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'Start the OTLP/HTTP receiver and REST API (applies migrations first)',
    uses: Object.keys(SLICES) as SliceName[],
    run: serve,
  },
  migrate: {
    summary: 'Apply pending database migrations and exit',
    uses: ['store', 'runtime'],
    run: runMigrations,
  },
  keys: KEYS_COMMAND,
  export: EXPORT_COMMAND,
  mine: MINE_COMMAND,
  report: REPORT_COMMAND,
  projects: PROJECTS_COMMAND,
  purge: PURGE_COMMAND,
};

/** The settings of the command's slices, in the order of the slices. */
function settingsOf(command: Command): readonly (Setting & { key: keyof Config })[] {
  return command.uses.flatMap((name): readonly (Setting & { key: keyof Config })[] => SLICES[name]);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`flywheel: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const used = settingsOf(command);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(used.map((s) => [s.flag, { type: 'string' as const }])),
        ...Object.fromEntries(Object.entries(command.options ?? {}).map(([flag, o]) => [flag, { type: o.type }])),
      },
      strict: true,
      allowPositionals: command.positionals === true,
    }));
  } catch (error) {
    process.stderr.write(`flywheel ${name}: ${(error as Error).message}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(commandHelp(name, command));
    return 0;
  }
  const settingFlags = new Set(used.map((s) => s.flag));
  const settingValues = Object.fromEntries(Object.entries(values).filter(([flag]) => settingFlags.has(flag)));
  const commandValues = Object.fromEntries(Object.entries(values).filter(([flag]) => !settingFlags.has(flag) && flag !== 'help'));
  let config: Config;
  try {
    config = loadConfig(process.env, settingValues as Record<string, string | undefined>);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`flywheel ${name}: invalid configuration\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    await command.run(config, { values: commandValues, positionals });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`flywheel ${name}: ${error.message}\n\n${commandHelp(name, command)}`);
      return 2;
    }
    process.stderr.write(`flywheel ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}


async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const processor = await startProcessor(config, log);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info(`received ${signal}`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      processor.stop().then(resolve, (error: unknown) => {
        log.error(`shutdown failed: ${(error as Error).message}`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function runMigrations(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  // A running `flywheel serve` on the embedded default keeps its Postgres: migrate through it.
  const database = await attachDatabase(config, log);
  try {
    const applied = await migrate(database.createPool('migrate', 1), { log });
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n');
  } finally {
    await database.close();
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Usage: flywheel <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'flywheel <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const used = settingsOf(command);
  const usageLines = command.usage ?? [`flywheel ${name} [options]`];
  const lines = [...usageLines.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}${u}`), '', command.summary, ''];
  for (const [flag, o] of Object.entries(command.options ?? {})) {
    lines.push(`  --${flag}${o.type === 'string' ? ' <value>' : ''}   ${o.help}`);
  }
  lines.push('Options (flag, env var: meaning):');
  for (const s of used) {
    lines.push(`  --${s.flag} <value>   ${s.env}`, `      ${s.description}; ${s.expected}${defaultOf(s.key)}`);
  }
  lines.push('  -h, --help   show this help', '');
  return lines.join('\n');
}

function defaultOf(key: keyof Config): string {
  try {
    const value = loadConfig({})[key];
    return value === undefined ? '' : ` (default: ${value})`;
  } catch {
    return '';
  }
}
