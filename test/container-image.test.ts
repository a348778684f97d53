// The processor's container image, without a container engine: the Dockerfile's structure is
// checked (multi-stage, pinned base image, non-root user, health check on /readyz, OCI labels,
// the port and settings the compose file relies on), then its build stage runs here as it runs
// in the engine (COPY from the context .dockerignore leaves, RUN in each WORKDIR; the checkout's
// install stands in for `npm ci`), with the image's absolute folders mapped to a temporary one,
// and the runtime stage's ENTRYPOINT, CMD, ENV and HEALTHCHECK are started against a real Postgres.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { freePort, startPostgres, type TestPostgres } from './harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage: line continuations joined, comments dropped. */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let logical = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && logical === '') continue;
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      logical += `${line.slice(0, -1)} `;
      continue;
    }
    logical += line;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    logical = '';
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim().replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    assert.ok(stages.length > 0, `${instruction.keyword} before the first FROM`);
    stages.at(-1)!.push(instruction);
  }
  return stages;
}

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const build = stages[0]!;
const runtime = stages.at(-1)!;
const all = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);
const one = (stage: Instruction[], keyword: string) => {
  const found = all(stage, keyword);
  assert.equal(found.length, 1, `one ${keyword}`);
  return found[0]!;
};

/** KEY=value pairs of ENV/LABEL arguments (values optionally double-quoted). */
function pairs(args: string): Record<string, string> {
  return Object.fromEntries([...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)].map(([, k, v]) => [k!, v!.startsWith('"') ? (JSON.parse(v!) as string) : v!]));
}

test('the Dockerfile: two stages on the pinned Node of CI, production install, non-root, health check, labels, port 4318', () => {
  assert.equal(stages.length, 2);
  const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
  const node24 = /^NODE24=(\S+)$/m.exec(ci)?.[1];
  assert.ok(node24, '.ci/run pins Node 24');
  assert.equal(one(build, 'FROM'), `node:${node24}-bookworm-slim AS build`);
  assert.equal(one(runtime, 'FROM'), `node:${node24}-bookworm-slim`);

  // Production dependencies only: the runtime stage installs nothing and copies only the
  // build stage's production install.
  assert.deepEqual(all(runtime, 'RUN'), []);
  assert.deepEqual(all(runtime, 'COPY'), ['--from=build /image/node_modules /app/node_modules']);
  assert.match(all(build, 'RUN').at(-1)!, /npm install --omit=dev --omit=optional --ignore-scripts .*\/pack\/agent-flywheel-processor-\*\.tgz$/);

  const user = one(runtime, 'USER');
  assert.doesNotMatch(user, /^(root|0)(:|$)/);
  assert.equal(user, 'node');
  assert.deepEqual(all(runtime, 'EXPOSE'), ['4318']);
  const env = pairs(all(runtime, 'ENV').join(' '));
  assert.deepEqual(env, { NODE_ENV: 'production', FLYWHEEL_HOST: '0.0.0.0', FLYWHEEL_PORT: '4318', FLYWHEEL_EMBEDDED_POSTGRES: 'off', FLYWHEEL_AUTH: 'required' });
  assert.match(one(runtime, 'HEALTHCHECK'), /^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[.*\/readyz/);

  const labels = pairs(all(runtime, 'LABEL').join(' '));
  for (const key of ['title', 'description', 'licenses', 'version', 'revision', 'base.name']) {
    assert.ok(labels[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
  }
  assert.equal(labels['org.opencontainers.image.licenses'], JSON.parse(readFileSync(path.join(ROOT, 'processor', 'package.json'), 'utf8')).license);
  assert.equal(labels['org.opencontainers.image.base.name'], `docker.io/library/node:${node24}-bookworm-slim`);

  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['**/node_modules', '**/dist', '.git', '.tools', '.flywheel']) assert.ok(ignored.includes(entry), `.dockerignore has ${entry}`);
});

let work: string;
let image: string;
let postgres: TestPostgres;
const children: ChildProcess[] = [];

/** An absolute path of the image, mapped into the temporary folder. */
const inImage = (text: string) =>
  text.replace(/(?<![\w.])\/(build|pack|image|app)\b/g, (_, dir: string) => path.join(work, dir === 'app' ? 'image' : dir));

/** Whether .dockerignore keeps `rel` (a path relative to the build context) out of the context. */
function dockerIgnored(rel: string, rules: string[]): boolean {
  const segments = rel.split('/');
  return rules.some((rule) => {
    if (rule.startsWith('**/')) return segments.includes(rule.slice(3));
    if (rule.startsWith('*.')) return segments.length === 1 && rel.endsWith(rule.slice(1));
    return rel === rule || rel.startsWith(`${rule}/`);
  });
}

function sh(command: string, cwd: string): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NODE_OPTIONS'));
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`;
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    );
  });
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'flywheel-image-'));
  image = path.join(work, 'image');
  [postgres] = await Promise.all([startPostgres(), mkdir(path.join(work, 'pack'))]);
  // The build stage as the engine runs it: its COPY steps from the build context (what
  // .dockerignore leaves), its RUN steps in their WORKDIR, the image's folders mapped into a
  // temporary one. Only `npm ci` is not rerun: the checkout's install (from the same lockfile)
  // is linked in its place.
  const rules = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  let cwd: string | undefined;
  let installed = false;
  for (const { keyword, args } of build) {
    if (keyword === 'WORKDIR') {
      cwd = inImage(args);
      await mkdir(cwd, { recursive: true });
    } else if (keyword === 'COPY') {
      assert.ok(cwd, 'COPY in a WORKDIR');
      const parts = args.split(' ');
      const destination = path.resolve(cwd, inImage(parts.at(-1)!));
      for (const source of parts.slice(0, -1)) {
        const target = parts.length > 2 || destination.endsWith('/') || parts.at(-1)!.endsWith('/') ? path.join(destination, path.basename(source)) : destination;
        await cp(path.join(ROOT, source), source.endsWith('/') ? destination : target, {
          recursive: true,
          filter: (from) => !dockerIgnored(path.relative(ROOT, from), rules),
        });
      }
    } else if (keyword === 'RUN' && args.startsWith('npm ci ')) {
      assert.ok(cwd);
      for (const dir of ['node_modules', 'processor/node_modules', 'instrumentation/node_modules']) {
        if (existsSync(path.join(ROOT, dir))) await symlink(path.join(ROOT, dir), path.join(cwd, dir));
      }
      installed = true;
    } else if (keyword === 'RUN') {
      assert.ok(installed && cwd, 'RUN steps after npm ci, in a WORKDIR');
      await sh(inImage(args), cwd);
    }
  }
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.filter((child) => child.exitCode === null).map((child) => new Promise((resolve) => child.once('close', resolve))));
  await postgres?.destroy();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The runtime stage's ENTRYPOINT + CMD, with its ENV and the given settings. */
function startImage(
  env: Record<string, string>,
  args = JSON.parse(one(runtime, 'CMD')) as string[],
): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const command = [...(JSON.parse(one(runtime, 'ENTRYPOINT')) as string[]), ...args].map(inImage);
  assert.equal(command[0], 'node');
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && !k.startsWith('FLYWHEEL_') && k !== 'DATABASE_URL' && k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, command.slice(1), { cwd: image, env: { ...base, ...pairs(all(runtime, 'ENV').join(' ')), ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

test('the build stage installs the processor with its production dependencies only: no dev tools, no embedded Postgres binaries', async () => {
  const modules = path.join(image, 'node_modules');
  const processorManifest = JSON.parse(readFileSync(path.join(ROOT, 'processor', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dependency of Object.keys(processorManifest.dependencies)) assert.ok(existsSync(path.join(modules, dependency)), `${dependency} is installed`);
  const devDependencies = [ROOT, path.join(ROOT, 'instrumentation')].flatMap((dir) =>
    Object.keys((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies),
  );
  // A dev dependency of this repository may be installed only because an installed package needs it.
  const { packages } = JSON.parse(readFileSync(path.join(modules, '.package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
  };
  const needed = new Set(Object.values(packages).flatMap((p) => [...Object.keys(p.dependencies ?? {}), ...Object.keys(p.peerDependencies ?? {})]));
  assert.deepEqual(Object.entries(packages).filter(([, p]) => p.dev).map(([name]) => name), [], 'no package installed as dev');
  for (const dev of devDependencies) {
    if (needed.has(dev)) continue;
    assert.ok(!existsSync(path.join(modules, dev)), `dev dependency ${dev} is not installed`);
  }
  for (const tool of ['typescript', 'tsx', 'eslint', 'esbuild', '@types/node']) assert.ok(!existsSync(path.join(modules, tool)), `${tool} is not installed`);
  assert.ok(!existsSync(path.join(modules, '@embedded-postgres')), 'no embedded Postgres binaries');
  assert.ok(!existsSync(path.join(modules, '@agent-flywheel', 'instrumentation')), 'the instrumentation is not part of the image');
  assert.ok(existsSync(path.join(modules, '@agent-flywheel', 'processor', 'dist', 'store', 'migrations', '0001_telemetry.sql')));
  assert.ok(!existsSync(path.join(modules, '@agent-flywheel', 'processor', 'src')), 'no TypeScript sources');
});

test('without DATABASE_URL the image refuses to start, and starts no embedded Postgres', async () => {
  const started = startImage({ FLYWHEEL_PORT: String(await freePort()) });
  assert.equal(await started.exited, 2);
  assert.equal(
    started.stderr(),
    'flywheel serve: invalid configuration\nDATABASE_URL must be set when FLYWHEEL_EMBEDDED_POSTGRES is off (no embedded Postgres is started)\n',
  );
  assert.deepEqual(await readdir(image).then((names) => names.filter((n) => n.startsWith('.'))), [], 'no data directory was made');
});

test('with DATABASE_URL the image serves on its port with auth required, and its HEALTHCHECK passes on /readyz', async () => {
  const port = await freePort();
  const started = startImage({ DATABASE_URL: postgres.url, FLYWHEEL_PORT: String(port) });
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (/listening on http:\/\/0\.0\.0\.0:\d+/.test(started.stderr())) {
        clearInterval(poll);
        resolve();
      }
    }, 100);
    void started.exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`exited with ${code}:\n${started.stderr()}`));
    });
  });
  assert.match(started.stderr(), /storing into Postgres at 127\.0\.0\.1:\d+\/postgres/);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  // Auth is required from the first request: no key, no data; a key made with the image's
  // entrypoint (`keys create`) opens the API.
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/interactions`)).status, 401);
  const created = startImage({ DATABASE_URL: postgres.url }, ['keys', 'create', '--project', 'image', '--role', 'read']);
  assert.equal(await created.exited, 0, created.stderr());
  const key = created.stdout().trim().split('\n').at(-1)!;
  assert.match(key, /^fw_[\w-]{32}$/);
  const read = await fetch(`http://127.0.0.1:${port}/api/interactions`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(read.status, 200);
  assert.deepEqual(await read.json(), { interactions: [], nextCursor: null });
  // The health check as the engine runs it: its CMD, in the container's environment.
  const check = JSON.parse(one(runtime, 'HEALTHCHECK').replace(/^.*? CMD /, '')) as string[];
  assert.equal(check[0], 'node');
  const healthCheck = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, check.slice(1), { env: { ...pairs(all(runtime, 'ENV').join(' ')), FLYWHEEL_PORT: String(port) } });
      child.once('close', resolve);
    });
  assert.equal(await healthCheck(), 0);
  started.child.kill('SIGTERM');
  assert.equal(await started.exited, 0);
  assert.equal(await healthCheck(), 1, 'the check fails once nothing answers');
});
