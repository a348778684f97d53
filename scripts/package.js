#!/usr/bin/env node
// Builds a workspace package for installing outside this repository, run from the package's
// folder by its npm scripts:
//
//   node ../scripts/package.js build      dist/: JavaScript, .d.ts and source maps (tsc with
//                                         tsconfig.build.json), plus the package's assets
//   node ../scripts/package.js prepack    build, then point package.json's `exports` at dist/
//   node ../scripts/package.js postpack   put package.json back as it was
//
// Inside the repository `exports` name the TypeScript sources, so the workspace runs from
// source (Node strips the types; tests run through tsx) with no build step. A tarball must not
// do that: Node refuses to strip types under node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING).
// So prepack rewrites each `./src/X.ts` target to `{ types: ./dist/X.d.ts, default: ./dist/X.js }`
// for the packed copy only, and postpack restores the file. A run cut short between the two is
// repaired by the next run (the original is kept beside it in package.json.unpacked).
//
// Assets tsc does not emit are listed in package.json "flywheelBuild": { "assets": ["src/dir", ...] }
// and copied to the same place under dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MANIFEST = 'package.json';
const BACKUP = 'package.json.unpacked';

const command = process.argv[2];
if (command === 'build') build();
else if (command === 'prepack') {
  restore();
  build();
  writeFileSync(BACKUP, readFileSync(MANIFEST));
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  manifest.exports = builtExports(manifest.exports);
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (command === 'postpack') restore();
else {
  process.stderr.write('usage: node ../scripts/package.js build|prepack|postpack (from a package folder)\n');
  process.exit(2);
}

function build() {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  rmSync('dist', { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  for (const asset of manifest.flywheelBuild?.assets ?? []) {
    if (!asset.startsWith('src/')) throw new Error(`asset ${asset} is not under src/`);
    cpSync(asset, path.join('dist', asset.slice('src/'.length)), { recursive: true });
  }
}

function restore() {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
}

/** `./src/X.ts` -> `{ types: './dist/X.d.ts', default: './dist/X.js' }`, recursively through conditions. */
function builtExports(exports) {
  if (typeof exports === 'string') {
    const match = /^\.\/src\/(.+)\.ts$/.exec(exports);
    return match ? { types: `./dist/${match[1]}.d.ts`, default: `./dist/${match[1]}.js` } : exports;
  }
  if (exports === null || typeof exports !== 'object') return exports;
  return Object.fromEntries(Object.entries(exports).map(([key, target]) => [key, builtExports(target)]));
}
