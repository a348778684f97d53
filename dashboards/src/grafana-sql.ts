// What Grafana does to a Postgres panel's SQL before Postgres sees it, so the suite can run each
// query as Grafana would. Two steps, as in Grafana:
// 1. the browser interpolates template variables (public/app/features/templating/template_srv.ts
//    with the SQL datasources' interpolateVariable: a multi-valued or include-all variable becomes
//    a comma-separated list of quoted literals, a single value has its quotes doubled);
// 2. the server expands the macros (pkg/tsdb/grafana-postgresql-datasource/macros.go), as
//    documented at grafana.com/docs/grafana/latest/datasources/postgres/query-editor/#macros.
// Only the macros below are known; any other is an error, as it is in Grafana.

export interface TemplateVariable {
  /** A list (a multi-valued or include-all variable's selection, "All" being every value) or one value. */
  value: string | readonly string[];
  /** Multi-valued or include-all: a single value is quoted too. */
  multi?: boolean;
}

export interface SqlContext {
  from: Date;
  to: Date;
  /** $__interval, as Grafana computes it from the range and the panel width (e.g. '1h'). */
  interval: string;
  variables: Record<string, TemplateVariable>;
}

const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Step 1: $name, ${name}, ${name:raw} and [[name]] of the variables given; others are left. */
export function interpolateVariables(sql: string, context: SqlContext): string {
  const variables: Record<string, TemplateVariable> = { __interval: { value: context.interval }, ...context.variables };
  return sql.replace(/\$(\w+)|\[\[(\w+)\]\]|\$\{(\w+)(?::(\w+))?\}/g, (match, plain?: string, bracket?: string, braced?: string, format?: string) => {
    const name = plain ?? bracket ?? braced!;
    const variable = variables[name];
    if (variable === undefined) return match;
    const { value } = variable;
    if (format === 'raw') return Array.isArray(value) ? value.join(',') : (value as string);
    if (Array.isArray(value)) return value.map(quoteLiteral).join(',');
    return variable.multi ? quoteLiteral(value as string) : (value as string).replaceAll("'", "''");
  });
}

/** Seconds of a Grafana interval: 500ms, 30s, 5m, 1h, 1d, 1w (quotes around it are dropped, as Grafana does). */
export function intervalSeconds(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim().replace(/^['"]|['"]$/g, ''));
  if (match === null) throw new Error(`not an interval: ${text}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

/** Go's time.RFC3339Nano in UTC, as the macros print times: no fraction when it is zero, no trailing zeros. */
export function rfc3339Nano(at: Date): string {
  return at.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** Step 2: the macros, $__name(args). */
export function expandMacros(sql: string, context: SqlContext): string {
  const from = rfc3339Nano(context.from);
  const to = rfc3339Nano(context.to);
  return sql.replace(/\$(__\w+)\(([^)]*)\)/g, (_match, name: string, rawArgs: string) => {
    const args = rawArgs.split(',').map((a) => a.trim());
    const column = () => {
      if (args[0] === undefined || args[0] === '') throw new Error(`macro ${name} needs a column argument`);
      return args[0];
    };
    const group = () => {
      if (args.length < 2) throw new Error(`macro ${name} needs a column and an interval`);
      const seconds = intervalSeconds(args[1]!);
      return `floor(extract(epoch from ${column()})/${seconds})*${seconds}`;
    };
    switch (name) {
      case '__time':
        return `${column()} AS "time"`;
      case '__timeEpoch':
        return `extract(epoch from ${column()}) as "time"`;
      case '__timeFilter':
        return `${column()} BETWEEN '${from}' AND '${to}'`;
      case '__timeFrom':
        return `'${from}'`;
      case '__timeTo':
        return `'${to}'`;
      case '__timeGroup':
        return group();
      case '__timeGroupAlias':
        return `${group()} AS "time"`;
      case '__unixEpochFilter':
        return `${column()} >= ${Math.floor(context.from.getTime() / 1000)} AND ${column()} <= ${Math.floor(context.to.getTime() / 1000)}`;
      default:
        throw new Error(`unknown macro: ${name}`);
    }
  });
}

/** Both steps; a `$` left over afterwards is a variable nobody set, and an error. */
export function expandSql(sql: string, context: SqlContext): string {
  const expanded = expandMacros(interpolateVariables(sql, context), context);
  const left = /\$\{?\w+/.exec(expanded);
  if (left !== null) throw new Error(`'${left[0]}' is neither a variable given nor a known macro`);
  return expanded;
}
