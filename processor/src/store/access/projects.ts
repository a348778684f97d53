// The projects table: every stored row belongs to one. Project 1, `default`, is the project of
// local mode (no API keys) and of everything stored before projects existed (migration 0005).
import type pg from 'pg';

export const DEFAULT_PROJECT = { id: 1, name: 'default' } as const;

/** What a project name may be: it appears in keys lists, URLs and dashboards' variables. */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface Project {
  id: number;
  name: string;
}

/** The project of this name, created when new; `created` says which. */
export async function ensureProject(db: pg.ClientBase | pg.Pool, name: string): Promise<Project & { created: boolean }> {
  const inserted = await db.query<{ id: number }>(
    'INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id',
    [name],
  );
  if (inserted.rows[0] !== undefined) return { id: inserted.rows[0].id, name, created: true };
  const { rows } = await db.query<{ id: number }>('SELECT id FROM projects WHERE name = $1', [name]);
  return { id: (rows[0] as { id: number }).id, name, created: false };
}

export async function findProject(db: pg.ClientBase | pg.Pool, name: string): Promise<Project | null> {
  const { rows } = await db.query<Project>('SELECT id, name FROM projects WHERE name = $1', [name]);
  return rows[0] ?? null;
}

export interface ProjectSummary extends Project {
  /** Days raw telemetry is kept; null follows FLYWHEEL_RETENTION_DAYS. */
  retentionDays: number | null;
  createdAt: Date;
}

export async function listProjects(db: pg.ClientBase | pg.Pool): Promise<ProjectSummary[]> {
  const { rows } = await db.query<ProjectSummary>(
    'SELECT id, name, retention_days AS "retentionDays", created_at AS "createdAt" FROM projects ORDER BY id',
  );
  return rows;
}

/** Sets the project's retention in days (null: follow FLYWHEEL_RETENTION_DAYS); false when there is no such project. */
export async function setProjectRetention(db: pg.ClientBase | pg.Pool, name: string, days: number | null): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE projects SET retention_days = $2 WHERE name = $1', [name, days]);
  return rowCount === 1;
}
