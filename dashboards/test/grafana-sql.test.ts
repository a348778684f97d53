// Grafana's expansion of Postgres panel SQL: variables as the SQL datasources format them, and
// the macros as documented (grafana.com/docs/grafana/latest/datasources/postgres/query-editor/#macros).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandMacros, expandSql, interpolateVariables, intervalSeconds, rfc3339Nano, type SqlContext } from '../src/grafana-sql.ts';

const context: SqlContext = {
  from: new Date('2017-04-21T05:01:17Z'),
  to: new Date('2017-04-21T05:06:17.250Z'),
  interval: '5m',
  variables: { project: { value: "o'brien" }, agent: { value: ['a', "b'c"], multi: true }, one: { value: 'x', multi: true } },
};

test('times print as Go RFC3339Nano in UTC: no fraction when zero, no trailing zeros', () => {
  assert.equal(rfc3339Nano(new Date('2017-04-21T05:01:17.000Z')), '2017-04-21T05:01:17Z');
  assert.equal(rfc3339Nano(new Date('2017-04-21T05:01:17.250Z')), '2017-04-21T05:01:17.25Z');
});

test('intervals: units from ms to w, quotes dropped, anything else refused', () => {
  assert.deepEqual(['500ms', '30s', "'5m'", '"1h"', '1d', '1w'].map(intervalSeconds), [0.5, 30, 300, 3600, 86_400, 604_800]);
  assert.throws(() => intervalSeconds('5 minutes'), /not an interval: 5 minutes/);
});

test('variables: lists become quoted literals, single values have quotes doubled, multi singles are quoted', () => {
  assert.equal(
    interpolateVariables("p = '$project' AND a IN ($agent) AND o = ${one} AND r = '${project:raw}' AND i = [[__interval]] AND $__timeFilter(t)", context),
    "p = 'o''brien' AND a IN ('a','b''c') AND o = 'x' AND r = 'o'brien' AND i = 5m AND $__timeFilter(t)",
  );
});

test('macros expand as Grafana documents them', () => {
  assert.equal(expandMacros('$__timeFilter(time)', context), "time BETWEEN '2017-04-21T05:01:17Z' AND '2017-04-21T05:06:17.25Z'");
  assert.equal(expandMacros('$__timeFrom() $__timeTo()', context), "'2017-04-21T05:01:17Z' '2017-04-21T05:06:17.25Z'");
  assert.equal(expandMacros("$__timeGroup(dateColumn,'5m')", context), 'floor(extract(epoch from dateColumn)/300)*300');
  assert.equal(expandMacros('$__timeGroupAlias(e.time, 1h)', context), 'floor(extract(epoch from e.time)/3600)*3600 AS "time"');
  assert.equal(expandMacros('$__time(t)', context), 't AS "time"');
  assert.equal(expandMacros('$__timeEpoch(t)', context), 'extract(epoch from t) as "time"');
  assert.equal(expandMacros('$__unixEpochFilter(s)', context), 's >= 1492750877 AND s <= 1492751177');
});

test('an unknown macro, a macro without its arguments, or a variable nobody set is an error', () => {
  assert.throws(() => expandMacros('$__timeShift(t)', context), /unknown macro: __timeShift/);
  assert.throws(() => expandMacros('$__timeGroup(t)', context), /needs a column and an interval/);
  assert.throws(() => expandSql("a = '$nobody'", context), /'\$nobody' is neither a variable given nor a known macro/);
  assert.equal(expandSql('$__timeGroupAlias(t, $__interval)', context), 'floor(extract(epoch from t)/300)*300 AS "time"');
});
