// Rolling upgrades against a real Postgres: a processor older than the schema serves when the
// newer migrations are not breaking, is refused at start when one is, and stops being ready
// when a newer replica applies a breaking one under it. The newer release is played by this
// processor's migration files plus one more, written to a temporary folder.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from '../processor/src/runtime/logger.ts';
import { loadConfig } from '../processor/src/config/config.ts';
import { type RunningProcessor, startProcessor } from '../processor/src/service.ts';
import { loadMigrations, migrate, type Migration, SchemaTooNewError } from '../processor/src/store/migrate.ts';
import { startPostgres, type TestPostgres } from './harness.ts';
import { agentTurn, postJson, tracesRequest } from './otlp-json-builder.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'processor', 'src', 'store', 'migrations');

/** A logger that keeps every line, to assert what the processor warned about. */
function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

let postgres: TestPostgres;
let known: Migration[];
let scratch: string;
before(async () => {
  postgres = await startPostgres();
  known = await loadMigrations();
  scratch = await mkdtemp(path.join(tmpdir(), 'flywheel-migrations-'));
});
after(async () => {
  await postgres.destroy();
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh database on the shared server; returns its URL. */
async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The migrations of a newer release: this one's, then `sql` as the next number. */
async function newerRelease(slug: string, sql: string): Promise<Migration[]> {
  const dir = path.join(scratch, slug);
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const id = known.length + 1;
  await writeFile(path.join(dir, `${String(id).padStart(4, '0')}_${slug}.sql`), sql);
  return loadMigrations(dir);
}

/** Migrates `url` the way a processor of that release would at its start. */
async function migrateWith(url: string, migrations: Migration[]): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return await migrate(pool, { migrations });
  } finally {
    await pool.end();
  }
}

function serve(url: string, log: Logger): Promise<RunningProcessor> {
  return startProcessor(loadConfig({ FLYWHEEL_HOST: '127.0.0.1', FLYWHEEL_PORT: '0', DATABASE_URL: url }), log);
}

const SAFE = `-- A newer release's addition: a column and a table this processor does not know.
ALTER TABLE spans ADD COLUMN note text;
CREATE TABLE span_notes (trace_id text NOT NULL, span_id text NOT NULL, note text NOT NULL);
`;

const BREAKING = `-- A newer release renames spans.name; this processor still writes the old name.
--! breaking-change
ALTER TABLE spans RENAME COLUMN name TO title;
`;

describe('a processor older than the schema', () => {
  test('serves when the newer migration is not breaking: one warning, ready, ingest and read back', async () => {
    const url = await createDatabase('newer_safe');
    const release = await newerRelease('span_notes', SAFE);
    const future = release.at(-1)!;
    assert.equal(future.breaking, false);
    assert.deepEqual(await migrateWith(url, release), release.map((m) => m.name));

    const log = recordingLogger();
    const processor = await serve(url, log);
    try {
      assert.deepEqual(
        log.lines.filter((l) => l.level === 'warn' || l.level === 'error'),
        [
          {
            level: 'warn',
            message:
              `the database schema is at migration ${future.name}, newer than this processor knows (up to ${known.at(-1)!.name}); ` +
              `this processor can run against it, since none of ${future.name} is marked breaking-change (they only add what it does not use)`,
          },
        ],
      );
      const ready = await fetch(`${processor.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ok' });

      const turn = agentTurn();
      const posted = await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root, ...turn.children]));
      assert.equal(posted.status, 200);
      const read = await fetch(`${processor.url}/api/interactions/${turn.id}`);
      assert.equal(read.status, 200);
      const body = (await read.json()) as { id: string; operation: string; spans: { spanId: string; name: string }[] };
      assert.equal(body.id, turn.id);
      assert.equal(body.operation, 'invoke_agent');
      assert.deepEqual(
        body.spans.map((s) => [s.spanId, s.name]),
        [
          [turn.rootId, 'invoke_agent support-agent'],
          [turn.children[0]!.spanId, 'chat gpt-4o-mini'],
          [turn.children[1]!.spanId, 'execute_tool lookup_order'],
          [turn.children[2]!.spanId, 'chat gpt-4o-mini'],
        ],
      );
    } finally {
      await processor.stop();
    }
    // The newer release's column is there, empty for what the older processor wrote.
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const { rows } = await check.query('SELECT count(*)::int AS spans, count(note)::int AS noted FROM spans');
      assert.deepEqual(rows, [{ spans: 4, noted: 0 }]);
    } finally {
      await check.end();
    }
  });

  test('is refused at start when the newer migration is breaking, with a message naming it', async () => {
    const url = await createDatabase('newer_breaking');
    const release = await newerRelease('rename_span_name', BREAKING);
    const future = release.at(-1)!;
    assert.equal(future.breaking, true);
    await migrateWith(url, release);

    await assert.rejects(
      serve(url, recordingLogger()),
      new SchemaTooNewError(
        `the database schema is at migration ${future.name}, newer than this processor knows (up to ${known.at(-1)!.name}), ` +
          `and ${future.name} is marked breaking-change: older processors cannot run against it; ` +
          'upgrade the processor or point it at another database',
      ),
    );
  });

  test('already running when a newer replica applies a breaking migration: not ready, and a write is a 500', async () => {
    const url = await createDatabase('broken_under_it');
    const log = recordingLogger();
    const processor = await serve(url, log);
    try {
      assert.equal((await fetch(`${processor.url}/readyz`)).status, 200);
      await migrateWith(url, await newerRelease('rename_span_name_live', BREAKING));

      const ready = await fetch(`${processor.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), {
        status: 'unavailable',
        reason: 'the database schema has a breaking migration newer than this processor; upgrade it',
      });
      // The writer's INSERT names a column that is gone: a bug from this processor's point of
      // view, answered 500 (OTLP clients do not retry it) with the error in the log only.
      const turn = agentTurn();
      const posted = await postJson(`${processor.url}/v1/traces`, tracesRequest([turn.root]));
      assert.equal(posted.status, 500);
      assert.equal(posted.headers.get('retry-after'), null);
      assert.deepEqual(posted.json, { code: 13, message: 'internal error while writing the batch; it was not stored' });
      const logged = log.lines.filter((l) => l.level === 'error' && l.message.startsWith('/v1/traces: '));
      assert.equal(logged.length, 1);
      assert.match(logged[0]!.message, /^\/v1\/traces: internal error while writing the batch; it was not stored: error: column "name" of relation "spans" does not exist\n {4}at /);
    } finally {
      await processor.stop();
    }
  });

  test('a migrations table from before the breaking column gets it, and new rows record the flag', async () => {
    const url = await createDatabase('before_the_flag');
    await migrateWith(url, known);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('ALTER TABLE flywheel_migrations DROP COLUMN breaking');
      const release = await newerRelease('rename_span_name_flag', BREAKING);
      assert.deepEqual(await migrateWith(url, release), [release.at(-1)!.name]);
      const { rows } = await client.query('SELECT id, name, breaking FROM flywheel_migrations ORDER BY id');
      assert.deepEqual(
        rows,
        release.map((m) => ({ id: m.id, name: m.name, breaking: m.id === release.length })),
      );
    } finally {
      await client.end();
    }
  });
});

test('a migrating user without CREATEROLE is told to create flywheel_grafana first; once it exists, every migration applies', async () => {
  // A server of its own: flywheel_grafana, a cluster-wide role, must not exist yet.
  const server = await startPostgres();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE migrator LOGIN PASSWORD 'migrator' NOCREATEROLE`);
      await admin.query('CREATE DATABASE owned OWNER migrator');
      const url = new URL(server.url);
      url.username = 'migrator';
      url.password = 'migrator';
      url.pathname = '/owned';
      const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      try {
        await assert.rejects(migrate(pool, { migrations: known }), /cannot create the role flywheel_grafana: migrator has no CREATEROLE/);
        await admin.query('CREATE ROLE flywheel_grafana NOLOGIN');
        const applied = await migrate(pool, { migrations: known });
        assert.equal(applied.at(-1), known.at(-1)!.name);
        const { rows } = await pool.query<{ ok: boolean }>(`SELECT has_table_privilege('flywheel_grafana', 'flywheel_interactions', 'SELECT') AS ok`);
        assert.equal(rows[0]?.ok, true);
      } finally {
        await pool.end();
      }
    } finally {
      await admin.end();
    }
  } finally {
    await server.destroy();
  }
});
