// The api_keys table. A key is `fw_` and 32 base64url characters (192 random bits); only its
// SHA-256 is stored (migration 0005 says why a fast hash is enough), with a short prefix to
// tell keys apart in lists. A key belongs to one project and has one role.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

export const ROLES = ['ingest', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const KEY_PREFIX = 'fw_';
/** Characters of a key kept in clear, to recognise it in `flywheel keys list`. */
const SHOWN_CHARACTERS = KEY_PREFIX.length + 6;

export interface ApiKey {
  id: number;
  projectId: number;
  project: string;
  role: Role;
  name: string | null;
  /** The first characters of the key, e.g. `fw_a1B2c3`. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a key; the key itself is returned once, here, and never stored. */
export async function createApiKey(
  db: pg.ClientBase | pg.Pool,
  input: { projectId: number; role: Role; name: string | null },
): Promise<{ id: number; key: string }> {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO api_keys (project_id, role, name, prefix, key_sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [input.projectId, input.role, input.name, key.slice(0, SHOWN_CHARACTERS), hashKey(key)],
  );
  return { id: (rows[0] as { id: number }).id, key };
}

const SELECT_KEYS = `SELECT k.id, k.project_id, p.name AS project, k.role, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at
  FROM api_keys k JOIN projects p ON p.id = k.project_id`;

interface KeyRow {
  id: number;
  project_id: number;
  project: string;
  role: Role;
  name: string | null;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function rowToKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    projectId: row.project_id,
    project: row.project,
    role: row.role,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Every key (revoked ones too), of one project when given, oldest first. */
export async function listApiKeys(db: pg.ClientBase | pg.Pool, projectId?: number): Promise<ApiKey[]> {
  const { rows } = await db.query<KeyRow>(
    `${SELECT_KEYS} ${projectId === undefined ? '' : 'WHERE k.project_id = $1'} ORDER BY k.id`,
    projectId === undefined ? [] : [projectId],
  );
  return rows.map(rowToKey);
}

/** Revokes a key; returns it as it is now (null when there is no such key). */
export async function revokeApiKey(db: pg.ClientBase | pg.Pool, id: number): Promise<{ key: ApiKey; revokedNow: boolean } | null> {
  const updated = await db.query<{ id: number }>(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id],
  );
  const { rows } = await db.query<KeyRow>(`${SELECT_KEYS} WHERE k.id = $1`, [id]);
  const row = rows[0];
  return row === undefined ? null : { key: rowToKey(row), revokedNow: updated.rowCount === 1 };
}

/** The live (not revoked) key with this secret, noting its use; null when there is none. */
export async function useApiKey(db: pg.ClientBase | pg.Pool, key: string): Promise<ApiKey | null> {
  const { rows } = await db.query<KeyRow>(
    `WITH used AS (
       UPDATE api_keys SET last_used_at = now() WHERE key_sha256 = $1 AND revoked_at IS NULL
       RETURNING id, project_id, role, name, prefix, created_at, last_used_at, revoked_at)
     SELECT u.*, p.name AS project FROM used u JOIN projects p ON p.id = u.project_id`,
    [hashKey(key)],
  );
  const row = rows[0];
  return row === undefined ? null : rowToKey(row);
}

/** True once any key was ever created: from then on every request needs one (revoking keys never reopens local mode). */
export async function anyKeyCreated(db: pg.ClientBase | pg.Pool): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM api_keys) AS exists');
  return rows[0]?.exists === true;
}
