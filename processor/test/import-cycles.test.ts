// No module of processor/src or instrumentation/src imports itself through others. Every
// relative `import ... from`, `import type ... from`, `export ... from` and side-effect
// `import './x.ts'` counts as an edge: a type-only circle still means two modules that
// cannot be understood apart.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Statements at the start of a line (so not in comments) that name a relative module. */
const IMPORT = /^\s*(?:import|export)\b(?:[^'";]*?\bfrom\s*)?\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative modules `source` imports, as specifiers. */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1]!);
}

/** The first cycle found in the graph, as a path that starts and ends at the same module; null when none. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

async function importGraph(dir: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await tsFiles(dir)) {
    const source = await readFile(file, 'utf8');
    const targets = importsOf(source).map((specifier) => path.relative(ROOT, path.resolve(path.dirname(file), specifier)));
    graph.set(path.relative(ROOT, file), targets);
  }
  return graph;
}

test('import statements of every kind are read, and only relative ones', () => {
  const source = [
    "import type pg from 'pg';",
    "import { a, type B } from './a.ts';",
    'import type {',
    '  C,',
    "} from '../c/c.ts';",
    "export { d } from './d.ts';",
    "export * from './e.ts';",
    "import './f.ts';",
    "// import { g } from './g.ts';",
    " * import { h } from './h.ts';",
    "const url = 'x from \\'./i.ts\\'';",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['./a.ts', '../c/c.ts', './d.ts', './e.ts', './f.ts']);
});

test('a cycle is reported as the path around it', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['d', 'b']],
    ['d', []],
  ]);
  assert.deepEqual(findCycle(graph), ['b', 'c', 'b']);
  assert.equal(findCycle(new Map([['a', ['b']], ['b', []]])), null);
});

for (const dir of ['processor/src', 'instrumentation/src']) {
  test(`${dir} has no import cycle`, async () => {
    const graph = await importGraph(path.join(ROOT, dir));
    assert.ok(graph.size > 10, `read ${graph.size} modules`);
    const cycle = findCycle(graph);
    assert.equal(cycle, null, `import cycle: ${cycle?.join(' -> ')}`);
  });
}
