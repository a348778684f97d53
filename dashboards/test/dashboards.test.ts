// The committed dashboards are what dashboards/src builds, and hold to the rules Grafana's
// provisioning and the views need: fixed uids and datasources, $project and $agent, SQL that
// reads only the flywheel_* views.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dashboardQueries } from '../src/queries.ts';
import { DASHBOARDS, renderDashboards } from '../src/index.ts';

const JSON_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'json');
const rendered = renderDashboards();

test('the committed dashboards/json files are exactly what `npm run dashboards` writes', async () => {
  assert.deepEqual((await readdir(JSON_DIR)).filter((f) => f.endsWith('.json')).sort(), [...rendered.keys()].sort());
  for (const [file, text] of rendered) {
    const committed = await readFile(path.join(JSON_DIR, file), 'utf8');
    assert.ok(committed === text, `dashboards/json/${file} is stale: run npm run dashboards and commit the result`);
  }
});

test('each dashboard file has its fixed uid and title', () => {
  const uids = Object.fromEntries([...rendered].map(([file, text]) => [file, [JSON.parse(text).uid, JSON.parse(text).title]]));
  assert.deepEqual(uids, {
    'overview.json': ['flywheel-overview', 'Flywheel overview'],
    'quality.json': ['flywheel-quality', 'Quality and patterns'],
    'knowledge.json': ['flywheel-knowledge', 'Knowledge'],
    'interactions.json': ['flywheel-interactions', 'Interactions'],
    'health.json': ['flywheel-health', 'Processor health'],
  });
  assert.equal(DASHBOARDS.length, 5);
});

test('every dashboard has the $project and $agent variables, $agent multi-valued with All', () => {
  for (const text of rendered.values()) {
    const dashboard = JSON.parse(text);
    const variables = dashboard.templating.list as { name: string; multi: boolean; includeAll: boolean }[];
    const project = variables.find((v) => v.name === 'project');
    const agent = variables.find((v) => v.name === 'agent');
    assert.ok(project !== undefined && agent !== undefined, dashboard.uid);
    assert.deepEqual([agent.multi, agent.includeAll], [true, true], dashboard.uid);
  }
});

test('every datasource referenced is one of the three provisioned uids', () => {
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'datasource' && typeof value === 'object' && value !== null) used.add((value as { uid: string }).uid);
        if (key === 'datasourceUid') used.add(value as string);
        visit(value);
      }
    }
  };
  for (const text of rendered.values()) {
    visit(JSON.parse(text));
    assert.doesNotMatch(text, /\$\{DS_/);
  }
  assert.deepEqual([...used].sort(), ['flywheel-postgres', 'flywheel-prometheus', 'flywheel-tempo']);
});

test('SQL reads only the flywheel_* views, and filters by project and agent', () => {
  let sql = 0;
  for (const text of rendered.values()) {
    for (const query of dashboardQueries(JSON.parse(text))) {
      if (query.kind !== 'sql') continue;
      sql++;
      const relations = [...query.text.matchAll(/\b(?:FROM|JOIN)\s+(?!LATERAL\b)([a-z_][a-z0-9_]*)/gi)].map((m) => m[1]!);
      assert.ok(relations.length > 0, query.name);
      // Subqueries' aliases (FROM ( ... ) name) are not relations; every named relation is a view.
      for (const relation of relations) assert.match(relation, /^flywheel_/, `${query.name} reads ${relation}`);
      if (!query.name.includes('variable project')) assert.match(query.text, /project = '\$project'/, query.name);
    }
  }
  assert.ok(sql >= 30, `${sql} SQL queries`);
});

test('every query has a name of its own (dashboard, panel title, refId)', () => {
  const names = [...rendered.values()].flatMap((text) => dashboardQueries(JSON.parse(text))).map((q) => q.name);
  assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
});

test('PromQL never filters on a job or an SDK name', () => {
  const promql = [...rendered.values()].flatMap((text) => dashboardQueries(JSON.parse(text))).filter((q) => q.kind === 'promql');
  assert.ok(promql.length >= 20, `${promql.length} PromQL queries`);
  for (const query of promql) assert.doesNotMatch(query.text, /\b(job|service_name|telemetry_sdk_name|instance)\s*=/, query.name);
});
