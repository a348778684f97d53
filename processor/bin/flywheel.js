#!/usr/bin/env node
// Entry point of the `flywheel` command. In a checkout it runs the TypeScript sources through
// tsx, so there is no build step between a checkout and `npm start`; an installed package
// carries no sources and runs the JavaScript built into dist/ (see scripts/package.js).
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`flywheel needs Node.js >= 22.15, this is ${process.version}\n`);
  process.exit(1);
}
const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
