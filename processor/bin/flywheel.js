#!/usr/bin/env node
// Entry point of the `flywheel` command. The processor is written in TypeScript and run
// through tsx, so there is no build step between a checkout and `npm start`.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`flywheel needs Node.js >= 22.15, this is ${process.version}\n`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
