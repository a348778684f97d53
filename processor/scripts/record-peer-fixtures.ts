// Captures the traces of the framework and peer-library e2e tests into
// processor/test/fixtures/peers/ (see its README): runs the given test/peer-*.test.ts files with
// FLYWHEEL_RECORD_PEER_FIXTURES=1, so each test writes the trace the processor stored.
//   node --import tsx processor/scripts/record-peer-fixtures.ts test/peer-langfuse.test.ts [...]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => !/(^|\/)peer-[\w-]+\.test\.ts$/.test(f))) {
  console.error('usage: record-peer-fixtures.ts test/peer-<name>.test.ts...');
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FLYWHEEL_RECORD_PEER_FIXTURES: '1' },
});
process.exit(run.status ?? 1);
