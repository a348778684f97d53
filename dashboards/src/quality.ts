// Quality and patterns: how the scores are distributed, the patterns mining found (with the
// interactions that evidence them), variants side by side, and degradation forecasts and alerts.
import { PanelBuilder as BarChartPanel } from '@grafana/grafana-foundation-sdk/barchart';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { SCOPE, sqlSeries, sqlTable, sqlVariables } from './common.ts';

const table = (title: string, description: string, rawSql: string, span = 24) =>
  new TablePanel().title(title).description(description).span(span).height(8).filterable(true).withTarget(sqlTable(rawSql));

/** One table row per variant value of `column` (prompt_version or model). */
const variantSql = (column: string) => `
  SELECT coalesce(${column}, '(none)') AS variant, count(*) AS interactions, count(*) FILTER (WHERE scored) AS scored,
         avg(satisfaction) AS satisfaction, avg(accuracy) AS accuracy,
         count(*) FILTER (WHERE success)::float8 / nullif(count(*) FILTER (WHERE scored), 0) AS success_rate,
         count(*) FILTER (WHERE failure)::float8 / nullif(count(*) FILTER (WHERE scored), 0) AS failure_rate,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS p50_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95_ms,
         min(time) AS first_seen
  FROM flywheel_interactions
  WHERE $__timeFilter(time) AND ${SCOPE}
  GROUP BY 1 ORDER BY interactions DESC`;

const patternsSql = (kind: 'failure' | 'success') => `
  SELECT agent, label, status, n, rate, baseline, lift, ci_low, ci_high, q, example_count,
         array_to_string(examples, ' ') AS examples, first_seen, last_seen, summary, recommendation
  FROM flywheel_patterns
  WHERE ${SCOPE} AND kind = '${kind}'
  ORDER BY status, lift DESC, n DESC`;

export function qualityDashboard() {
  return new DashboardBuilder('Quality and patterns')
    .uid('flywheel-quality')
    .description('Score distributions per dimension, failure and success patterns with their evidence, variant comparison, degradation forecasts and alerts')
    .tags(['flywheel'])
    .time({ from: 'now-7d', to: 'now' })
    .refresh('1m')
    .timezone('utc')
    .readonly()
    .variables(sqlVariables())
    .withRow(new RowBuilder('Scores'))
    .withPanel(
      new BarChartPanel()
        .title('Score distribution per dimension')
        .description('Scored interactions per score bucket of width 0.1, one bar per dimension (missing dimensions are left out)')
        .span(12)
        .height(9)
        .xField('bucket')
        .withTarget(sqlTable(`
          SELECT to_char(floor(least(v.score, 0.9999) * 10) / 10, 'FM0.0') AS bucket,
                 count(*) FILTER (WHERE v.dimension = 'accuracy') AS accuracy,
                 count(*) FILTER (WHERE v.dimension = 'completeness') AS completeness,
                 count(*) FILTER (WHERE v.dimension = 'relevance') AS relevance,
                 count(*) FILTER (WHERE v.dimension = 'timeliness') AS timeliness,
                 count(*) FILTER (WHERE v.dimension = 'satisfaction') AS satisfaction
          FROM flywheel_interactions i
          CROSS JOIN LATERAL (VALUES ('accuracy', i.accuracy), ('completeness', i.completeness), ('relevance', i.relevance),
                                     ('timeliness', i.timeliness), ('satisfaction', i.satisfaction)) AS v(dimension, score)
          WHERE $__timeFilter(i.time) AND i.project = '$project' AND i.agent IN ($agent) AND v.score IS NOT NULL
          GROUP BY 1 ORDER BY 1`)),
    )
    .withPanel(
      new TimeSeriesPanel()
        .title('Mean score per dimension')
        .description('Mean of each dimension over the interactions scored, per interval')
        .unit('percentunit')
        .span(12)
        .height(9)
        .withTarget(sqlSeries(`
          SELECT $__timeGroupAlias(time, $__interval), avg(accuracy) AS accuracy, avg(completeness) AS completeness,
                 avg(relevance) AS relevance, avg(timeliness) AS timeliness, avg(satisfaction) AS satisfaction
          FROM flywheel_interactions
          WHERE $__timeFilter(time) AND ${SCOPE} AND scored
          GROUP BY 1 ORDER BY 1`)),
    )
    .withRow(new RowBuilder('Patterns'))
    .withPanel(table(
      'Failure patterns',
      'Segments whose failure rate is significantly above the agent\'s baseline: support n, rate, lift, 95% interval, q-value, and the interactions that evidence them',
      patternsSql('failure'),
    ))
    .withPanel(table('Success patterns', 'Segments whose success rate is significantly above the baseline', patternsSql('success')))
    .withPanel(table('Topic clusters', 'Clusters of similar questions with their sizes, successes and failures', `
      SELECT agent, label, size, successes, failures, successes::float8 / nullif(size, 0) AS success_rate, updated_at
      FROM flywheel_clusters
      WHERE ${SCOPE}
      ORDER BY size DESC`))
    .withRow(new RowBuilder('Variants'))
    .withPanel(table('Prompt versions', 'Each prompt version in the range: volume, quality and latency', variantSql('prompt_version'), 12))
    .withPanel(table('Models', 'Each model in the range: volume, quality and latency', variantSql('model'), 12))
    .withRow(new RowBuilder('Degradation'))
    .withPanel(table('Forecasts', 'Per agent and metric: the current value, its threshold, the trend and when it is forecast to cross', `
      SELECT agent, metric, current, threshold, slope_per_day, trend_p, crosses_at, alert, days, computed_at
      FROM flywheel_forecasts
      WHERE ${SCOPE}
      ORDER BY alert DESC, agent, metric`, 12))
    .withPanel(table('Alerts', 'Degradation alerts open now or raised in the range', `
      SELECT agent, metric, open, raised_at, cleared_at, current, threshold, crosses_at
      FROM flywheel_alerts
      WHERE ${SCOPE} AND (open OR $__timeFilter(raised_at))
      ORDER BY raised_at DESC`, 12));
}
