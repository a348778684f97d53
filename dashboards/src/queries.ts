// The queries of a dashboard's JSON, as Grafana runs them: every panel target and every query
// variable, with the datasource each goes to. The suite runs each against real Postgres or a
// real Prometheus.
export interface DashboardQuery {
  /** "<dashboard uid> / <panel or variable title> / <refId>", to name a failing query. */
  name: string;
  kind: 'sql' | 'promql';
  text: string;
  /** SQL targets: how the panel reads the rows. */
  format?: 'table' | 'time_series';
}

interface Target {
  refId?: string;
  datasource?: { uid?: string };
  rawSql?: string;
  expr?: string;
  format?: 'table' | 'time_series';
}

interface PanelJson {
  title?: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: PanelJson[];
}

interface DashboardJson {
  uid: string;
  panels?: PanelJson[];
  templating?: { list?: { name: string; type: string; datasource?: { uid?: string }; query?: unknown }[] };
}

const KIND_OF_DATASOURCE: Record<string, DashboardQuery['kind']> = { 'flywheel-postgres': 'sql', 'flywheel-prometheus': 'promql' };

export function dashboardQueries(dashboard: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: PanelJson[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const uid = target.datasource?.uid ?? panel.datasource?.uid ?? '';
        const kind = KIND_OF_DATASOURCE[uid];
        if (kind === undefined) throw new Error(`${dashboard.uid} / ${panel.title}: target ${target.refId} goes to an unknown datasource '${uid}'`);
        const text = kind === 'sql' ? target.rawSql : target.expr;
        if (text === undefined) throw new Error(`${dashboard.uid} / ${panel.title}: target ${target.refId} has no query`);
        out.push({ name: `${dashboard.uid} / ${panel.title} / ${target.refId}`, kind, text, ...(target.format ? { format: target.format } : {}) });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const kind = KIND_OF_DATASOURCE[variable.datasource?.uid ?? ''];
    if (kind === undefined || typeof variable.query !== 'string') throw new Error(`${dashboard.uid}: variable ${variable.name} has no query for a flywheel datasource`);
    out.push({ name: `${dashboard.uid} / variable ${variable.name}`, kind, text: variable.query, format: 'table' });
  }
  return out;
}
