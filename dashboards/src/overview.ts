// Flywheel overview: the figures of `flywheel report` (mine/report.ts) over time, per interval
// of the chosen range, for the chosen project and agents.
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { SCOPE, sqlSeries, sqlTable, sqlVariables } from './common.ts';

const stat = (title: string, description: string, unit: string, rawSql: string) =>
  new StatPanel()
    .title(title)
    .description(description)
    .unit(unit)
    .decimals(unit === 'ms' ? 0 : 3)
    .span(4)
    .height(4)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(sqlTable(rawSql));

const series = (title: string, description: string, unit: string, rawSql: string) =>
  new TimeSeriesPanel().title(title).description(description).unit(unit).span(12).height(8).withTarget(sqlSeries(rawSql));

export function overviewDashboard() {
  return new DashboardBuilder('Flywheel overview')
    .uid('flywheel-overview')
    .description('The flywheel report over time: quality, knowledge age, improvement velocity, response times and volume per agent')
    .tags(['flywheel'])
    .time({ from: 'now-30d', to: 'now' })
    .refresh('1m')
    .timezone('utc')
    .readonly()
    .variables(sqlVariables())
    .withRow(new RowBuilder('The period'))
    .withPanel(stat('Interactions', 'Interactions that started in the range', 'short', `
      SELECT count(*) AS interactions FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE}`))
    .withPanel(stat('Avg accuracy', 'Mean accuracy of the scored interactions (avg_accuracy)', 'percentunit', `
      SELECT avg(accuracy) AS accuracy FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored`))
    .withPanel(stat('Avg satisfaction', 'Mean satisfaction of the scored interactions', 'percentunit', `
      SELECT avg(satisfaction) AS satisfaction FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored`))
    .withPanel(stat('Training-eligible', 'Share of the scored interactions over every quality threshold', 'percentunit', `
      SELECT count(*) FILTER (WHERE eligible)::float8 / nullif(count(*), 0) AS eligible_rate FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored`))
    .withPanel(stat('Response time p50', 'Median response time of every interaction', 'ms', `
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS p50_ms FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE}`))
    .withPanel(stat('Response time p95', '95th percentile response time of every interaction', 'ms', `
      SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95_ms FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE}`))
    .withRow(new RowBuilder('Over time'))
    .withPanel(series('Accuracy', 'Mean accuracy of the interactions scored, per interval', 'percentunit', `
      SELECT $__timeGroupAlias(time, $__interval), avg(accuracy) AS accuracy
      FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored
      GROUP BY 1 ORDER BY 1`))
    .withPanel(series(
      'Satisfaction trend',
      'Daily mean satisfaction and its trend: the least-squares slope per day over the trailing 7 days (the report uses the Theil–Sen slope of the period)',
      'short',
      `
      SELECT time, satisfaction,
             regr_slope(satisfaction, time / 86400) OVER (ORDER BY time ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS trend_per_day
      FROM (
        SELECT $__timeGroupAlias(time, '1d'), avg(satisfaction) AS satisfaction
        FROM flywheel_interactions
        WHERE $__timeFilter(time) AND ${SCOPE} AND scored
        GROUP BY 1
      ) daily
      ORDER BY 1`,
    ))
    .withPanel(series(
      'Improvement velocity',
      'Daily success rate (satisfaction > 0.8) and its change per week: the least-squares slope over the trailing 7 days, times 7',
      'short',
      `
      SELECT time, success_rate,
             7 * regr_slope(success_rate, time / 86400) OVER (ORDER BY time ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS velocity_per_week
      FROM (
        SELECT $__timeGroupAlias(time, '1d'), count(*) FILTER (WHERE success)::float8 / count(*) AS success_rate
        FROM flywheel_interactions
        WHERE $__timeFilter(time) AND ${SCOPE} AND scored
        GROUP BY 1
      ) daily
      ORDER BY 1`,
    ))
    .withPanel(series('Knowledge age', 'Mean age, in days at answer time, of the knowledge sources the answers used', 'd', `
      SELECT $__timeGroupAlias(time, $__interval), avg(age_days) AS knowledge_age_days
      FROM flywheel_knowledge_uses
      WHERE $__timeFilter(time) AND ${SCOPE}
      GROUP BY 1 ORDER BY 1`))
    .withPanel(series('Response time', 'p50 and p95 response time of every interaction, per interval', 'ms', `
      SELECT $__timeGroupAlias(time, $__interval),
             percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95
      FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE}
      GROUP BY 1 ORDER BY 1`))
    .withPanel(series('Training-eligible rate', 'Share of the scored interactions over every quality threshold, per interval', 'percentunit', `
      SELECT $__timeGroupAlias(time, $__interval), count(*) FILTER (WHERE eligible)::float8 / count(*) AS eligible_rate
      FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored
      GROUP BY 1 ORDER BY 1`))
    .withPanel(series('Interactions per agent', 'Interactions started per interval, one series per agent', 'short', `
      SELECT $__timeGroupAlias(time, $__interval), agent AS metric, count(*) AS interactions
      FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE}
      GROUP BY 1, 2 ORDER BY 1`))
    .withPanel(series('Success and failure rates', 'Share of the scored interactions that succeed (satisfaction > 0.8) and fail (< 0.4)', 'percentunit', `
      SELECT $__timeGroupAlias(time, $__interval),
             count(*) FILTER (WHERE success)::float8 / count(*) AS success_rate,
             count(*) FILTER (WHERE failure)::float8 / count(*) AS failure_rate
      FROM flywheel_interactions
      WHERE $__timeFilter(time) AND ${SCOPE} AND scored
      GROUP BY 1 ORDER BY 1`));
}
