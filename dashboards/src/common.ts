// What every flywheel dashboard shares: the provisioned datasources (fixed uids, since provisioned
// dashboards do not resolve `${DS_...}` inputs), the SQL query type for Grafana's Postgres
// datasource, and the $project / $agent variables.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PromQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';

export const POSTGRES: DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'flywheel-postgres' };
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'flywheel-prometheus' };
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'flywheel-tempo' };

/** A raw SQL target of Grafana's Postgres datasource (the SDK ships no builder for it). */
export interface SqlQuery {
  refId?: string;
  hide?: boolean;
  datasource: DataSourceRef;
  rawSql: string;
  format: 'table' | 'time_series';
  rawQuery: true;
  editorMode: 'code';
  _implementsDataqueryVariant(): void;
}

export class SqlQueryBuilder implements Builder<Dataquery> {
  private readonly internal: SqlQuery;

  constructor(rawSql: string, format: SqlQuery['format'] = 'table') {
    this.internal = {
      datasource: POSTGRES,
      rawSql: dedent(rawSql),
      format,
      rawQuery: true,
      editorMode: 'code',
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  build(): SqlQuery {
    return this.internal;
  }
}

/** A SQL target returning a table. */
export const sqlTable = (rawSql: string) => new SqlQueryBuilder(rawSql, 'table').refId('A');
/** A SQL target returning time series (a `time` column, value columns, optionally `metric`). */
export const sqlSeries = (rawSql: string) => new SqlQueryBuilder(rawSql, 'time_series').refId('A');

/** A PromQL target with a legend. */
export const promql = (expr: string, legend: string, refId = 'A') =>
  new PromQueryBuilder().expr(expr).legendFormat(legend).range().refId(refId).datasource(PROMETHEUS);

/**
 * The filter every SQL panel applies: the chosen project, the chosen agents. $agent is
 * multi-valued, so Grafana writes it as a quoted, comma-separated list.
 */
export const SCOPE = `project = '$project' AND agent IN ($agent)`;
/** The same for knowledge, where agent 'shared' holds the items every agent receives. */
export const KNOWLEDGE_SCOPE = `project = '$project' AND agent IN ($agent, 'shared')`;

/** $project and $agent, read from the flywheel_projects and flywheel_agents views. */
export function sqlVariables() {
  return [
    new QueryVariableBuilder('project')
      .label('Project')
      .datasource(POSTGRES)
      .query('SELECT project FROM flywheel_projects ORDER BY project')
      .definition('SELECT project FROM flywheel_projects ORDER BY project')
      .refresh(VariableRefresh.OnDashboardLoad)
      .sort(VariableSort.AlphabeticalAsc)
      .current({ text: 'default', value: 'default' }),
    new QueryVariableBuilder('agent')
      .label('Agent')
      .datasource(POSTGRES)
      .query(`SELECT agent FROM flywheel_agents WHERE project = '$project' ORDER BY agent`)
      .definition(`SELECT agent FROM flywheel_agents WHERE project = '$project' ORDER BY agent`)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .current({ text: 'All', value: '$__all' }),
  ];
}

/** Strips the common leading indentation of a template literal, so queries read well in JSON. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
