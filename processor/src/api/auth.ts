// Who may do what: an API key (`Authorization: Bearer <key>` or `x-api-key: <key>`, what an
// OTel Collector's exporter sends through `headers`) names one project and one role. `ingest`
// may send (OTLP, feedback), `read` may read, `admin` may do everything of its project.
// Local mode: until the first key is created (and unless FLYWHEEL_AUTH=required), requests
// need no key and everything belongs to the project `default`; the server then listens on
// loopback only (checkBind).
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { anyKeyCreated, type Role, useApiKey } from '../store/access/api-keys.ts';
import { DEFAULT_PROJECT } from '../store/access/projects.ts';
import { HttpError } from './errors.ts';

export type AuthMode = 'auto' | 'required';

/** What a route needs. */
export type Permission = 'ingest' | 'read' | 'admin';

const GRANTS: Record<Role, readonly Permission[]> = {
  ingest: ['ingest'],
  read: ['read'],
  admin: ['ingest', 'read', 'admin'],
};

/** What a request may touch: one project, and who it is (the key's name, or `local`). */
export interface Access {
  projectId: number;
  project: string;
  role: Role | 'local';
  keyId: number | null;
  /** For audit trails: the key's name (else `key <id>`), or `local` in local mode. */
  actor: string;
}

const LOCAL_ACCESS: Access = {
  projectId: DEFAULT_PROJECT.id,
  project: DEFAULT_PROJECT.name,
  role: 'local',
  keyId: null,
  actor: 'local',
};

/** 401: no key, or one that is unknown or revoked. The message never echoes the key. */
export class UnauthenticatedError extends HttpError {
  override name = 'UnauthenticatedError';
  constructor(message: string) {
    super(401, message);
  }
}

export interface Auth {
  /** The access the request's key grants for `permission`; throws 401 or 403 (HttpError). */
  authorize(headers: IncomingHttpHeaders, permission: Permission): Promise<Access>;
  /** Express middleware: authorizes for `permission` and puts the Access in `res.locals.access`. */
  require(permission: Permission): RequestHandler;
  /** True when requests must carry a key (some key exists, or FLYWHEEL_AUTH=required). */
  keysRequired(): Promise<boolean>;
}

export interface AuthOptions {
  pool: pg.Pool;
  mode: AuthMode;
  /** How long a verified key is trusted without asking the database again (a revoked key works this much longer). */
  cacheMs?: number;
  /** How often local mode looks again whether a key was created meanwhile (`flywheel keys create` on a running server). */
  recheckMs?: number;
}

/** At most this many verified keys are cached; past it the cache starts over. */
const MAX_CACHED_KEYS = 1000;

export function createAuth({ pool, mode, cacheMs = 5_000, recheckMs = 1_000 }: AuthOptions): Auth {
  // Once a key exists, keys are required for good: no need to ask again.
  let required = mode === 'required';
  let checkedAt = -Infinity;
  const verified = new Map<string, { access: Access; role: Role; until: number }>();

  async function keysRequired(): Promise<boolean> {
    if (required) return true;
    const now = Date.now();
    if (now - checkedAt < recheckMs) return false;
    required = await anyKeyCreated(pool);
    checkedAt = now;
    return required;
  }

  async function authorize(headers: IncomingHttpHeaders, permission: Permission): Promise<Access> {
    if (!(await keysRequired())) {
      if (!carriesKey(headers)) return LOCAL_ACCESS;
      // A key arriving before the next look could be a key created since the last one: look now,
      // so that a request with a key never lands in the local project once keys exist.
      required = await anyKeyCreated(pool);
      checkedAt = Date.now();
      if (!required) return LOCAL_ACCESS;
    }
    const key = keyOf(headers);
    const now = Date.now();
    let entry = verified.get(key);
    if (entry === undefined || entry.until < now) {
      const found = await useApiKey(pool, key);
      if (found === null) {
        verified.delete(key);
        throw new UnauthenticatedError('unknown or revoked API key');
      }
      if (verified.size >= MAX_CACHED_KEYS) verified.clear();
      entry = {
        role: found.role,
        until: now + cacheMs,
        access: {
          projectId: found.projectId,
          project: found.project,
          role: found.role,
          keyId: found.id,
          actor: found.name ?? `key ${found.id}`,
        },
      };
      verified.set(key, entry);
    }
    if (!GRANTS[entry.role].includes(permission)) {
      throw new HttpError(403, `this API key has the role '${entry.role}', which may not ${VERBS[permission]}`);
    }
    return entry.access;
  }

  return {
    authorize,
    keysRequired,
    require: (permission) => async (req, res, next) => {
      res.locals.access = await authorize(req.headers, permission);
      next();
    },
  };
}

const VERBS: Record<Permission, string> = {
  ingest: 'send data (needs ingest or admin)',
  read: 'read data (needs read or admin)',
  admin: 'administer the project (needs admin)',
};

/** The x-api-key header's value, trimmed; undefined when absent or blank. */
function apiKeyHeader(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
}

/** True when the request carries something in either key header. */
function carriesKey(headers: IncomingHttpHeaders): boolean {
  return headers.authorization !== undefined || apiKeyHeader(headers) !== undefined;
}

/** The key a request carries, from either header; 401 when there is none or the headers disagree. */
function keyOf(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization;
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw new UnauthenticatedError("the Authorization header must be 'Bearer <API key>'");
    bearer = match[1];
  }
  const given = apiKeyHeader(headers);
  if (bearer !== undefined && given !== undefined && bearer !== given) {
    throw new UnauthenticatedError('the Authorization and x-api-key headers carry different keys; send one');
  }
  const key = bearer ?? given;
  if (key === undefined) {
    throw new UnauthenticatedError('an API key is required: send Authorization: Bearer <key> or x-api-key: <key>');
  }
  return key;
}

/** The Access of a request that went through `auth.require()`. */
export function accessOf(locals: Record<string, unknown>): Access {
  const access = locals.access as Access | undefined;
  if (access === undefined) throw new Error('route is missing its auth.require() middleware');
  return access;
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.startsWith('::ffff:127.');
  return false;
}

/**
 * Local mode is for one machine: refuse to listen beyond loopback while requests need no key.
 * Returns the line the startup log shows about auth.
 */
export async function checkBind(auth: Auth, host: string): Promise<string> {
  if (await auth.keysRequired()) return 'auth: API keys required (Authorization: Bearer <key> or x-api-key)';
  if (!isLoopback(host)) {
    throw new Error(
      `refusing to listen on ${host} with auth off: no API key exists yet, so anyone who can reach the port could send ` +
        `and read data. Create a key first (flywheel keys create --project NAME --role ingest), or set FLYWHEEL_AUTH=required, ` +
        `or listen on 127.0.0.1`,
    );
  }
  return `auth: off (local mode: no API key exists yet; everything goes to the project '${DEFAULT_PROJECT.name}'; ` +
    `the first 'flywheel keys create' turns it on)`;
}
