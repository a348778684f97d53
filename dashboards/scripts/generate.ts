// Writes dashboards/json/*.json from the dashboards' TypeScript (dashboards/src).   npm run dashboards
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from '../src/index.ts';

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'json');
await mkdir(target, { recursive: true });
for (const [file, text] of renderDashboards()) {
  await writeFile(path.join(target, file), text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(target, file))}\n`);
}
