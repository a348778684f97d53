// `flywheel keys create | list | revoke`: API keys of projects. Runs beside a running
// `flywheel serve` (it attaches to the embedded Postgres the server runs) or against DATABASE_URL.
import type { Config } from '../config/config.ts';
import { createApiKey, listApiKeys, revokeApiKey, type Role, ROLES } from '../store/access/api-keys.ts';
import { ensureProject, findProject, PROJECT_NAME } from '../store/access/projects.ts';
import { attachDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { createLogger } from '../runtime/logger.ts';
import { type Command, type CommandArgs, UsageError } from './command.ts';

export const KEYS_COMMAND: Command = {
  summary: 'Create, list and revoke API keys (the project is created with its first key)',
  usage: [
    'flywheel keys create --project NAME --role ingest|read|admin [--name LABEL]',
    'flywheel keys list [--project NAME] [--json]',
    'flywheel keys revoke ID',
  ],
  uses: ['store', 'runtime'],
  options: {
    project: { type: 'string', help: 'the project (create: created when new; list: only its keys)' },
    role: { type: 'string', help: 'create: ingest (send OTLP and feedback), read (GET the API) or admin (everything of its project)' },
    name: { type: 'string', help: 'create: a label for the key, shown in lists and audit trails' },
    json: { type: 'boolean', help: 'list: one JSON array instead of a table' },
  },
  positionals: true,
  run: runKeys,
};

async function runKeys(config: Config, { values, positionals }: CommandArgs): Promise<void> {
  const [action, ...rest] = positionals;
  const string = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const allowOnly = (...flags: string[]) => {
    const extra = Object.keys(values).filter((f) => values[f] !== undefined && !flags.includes(f));
    if (extra.length > 0) throw new UsageError(`keys ${action}: --${extra[0]} does not apply here`);
  };
  if (action === undefined) throw new UsageError('say what to do: create, list or revoke');
  if (action === 'create') {
    allowOnly('project', 'role', 'name');
    if (rest.length > 0) throw new UsageError(`keys create takes no words, got '${rest[0]}'`);
    const project = projectName(string('project'), true) as string;
    const role = string('role');
    if (role === undefined || !(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}${role === undefined ? '' : `, got '${role}'`}`);
    }
    const name = string('name') ?? null;
    await withDatabase(config, async (db) => {
      const created = await ensureProject(db, project);
      const key = await createApiKey(db, { projectId: created.id, role: role as Role, name });
      process.stdout.write(
        `created key ${key.id} (role ${role}${name === null ? '' : `, name '${name}'`}) for ${created.created ? 'the new' : 'the'} project '${project}'\n` +
          `keep it now: only its hash is stored, it cannot be shown again\n${key.key}\n`,
      );
    });
    return;
  }
  if (action === 'list') {
    allowOnly('project', 'json');
    if (rest.length > 0) throw new UsageError(`keys list takes no words, got '${rest[0]}'`);
    const project = projectName(string('project'), false);
    await withDatabase(config, async (db) => {
      let projectId: number | undefined;
      if (project !== undefined) {
        const found = await findProject(db, project);
        if (found === null) throw new Error(`no project named '${project}'`);
        projectId = found.id;
      }
      const keys = await listApiKeys(db, projectId);
      if (values.json === true) {
        process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        return;
      }
      if (keys.length === 0) {
        process.stdout.write(project === undefined ? 'no API keys yet (local mode: requests need none)\n' : `project '${project}' has no keys\n`);
        return;
      }
      const day = (d: Date | null) => (d === null ? '-' : d.toISOString().slice(0, 19).replace('T', ' '));
      process.stdout.write(
        table(
          ['ID', 'PROJECT', 'ROLE', 'NAME', 'KEY', 'CREATED', 'LAST USED', 'STATUS'],
          keys.map((k) => [
            String(k.id), k.project, k.role, k.name ?? '-', `${k.prefix}...`, day(k.createdAt), day(k.lastUsedAt),
            k.revokedAt === null ? 'active' : `revoked ${day(k.revokedAt)}`,
          ]),
        ),
      );
    });
    return;
  }
  if (action === 'revoke') {
    allowOnly();
    if (rest.length !== 1 || !/^\d+$/.test(rest[0] as string)) throw new UsageError('keys revoke takes one key ID (see flywheel keys list)');
    const id = Number(rest[0]);
    await withDatabase(config, async (db) => {
      const result = await revokeApiKey(db, id);
      if (result === null) throw new Error(`no API key with ID ${id}`);
      const { key, revokedNow } = result;
      process.stdout.write(
        `${revokedNow ? 'revoked' : 'already revoked:'} key ${key.id} (${key.prefix}..., role ${key.role}) of project '${key.project}'\n`,
      );
    });
    return;
  }
  throw new UsageError(`unknown keys action '${action}': use create, list or revoke`);
}

/** The --project value checked against the project name rule; undefined when not given and not required. */
export function projectName(value: string | undefined, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw new UsageError('--project NAME is required');
    return undefined;
  }
  if (!PROJECT_NAME.test(value)) {
    throw new UsageError(`--project must be 1 to 63 of a-z, 0-9, '.', '_', '-', starting with a letter or digit, got '${value}'`);
  }
  return value;
}

/** Runs `work` on the database of the configuration (migrated first), then closes it; `user` names the pool. */
export async function withDatabase(config: Config, work: (db: import('pg').Pool) => Promise<void>, user = 'keys'): Promise<void> {
  const log = createLogger(config.logLevel);
  const database = await attachDatabase(config, log);
  const pool = database.createPool(user, 2);
  try {
    // A first `keys create` before the server ever ran finds no tables yet.
    await migrate(pool);
    await work(pool);
  } finally {
    await database.close();
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
