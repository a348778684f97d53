// Knowledge: how many items are pending, committed, rejected and superseded over time, the
// review queue, and the registered sources with their freshness.
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { KNOWLEDGE_SCOPE, sqlSeries, sqlTable, sqlVariables } from './common.ts';

export function knowledgeDashboard() {
  return new DashboardBuilder('Knowledge')
    .uid('flywheel-knowledge')
    .description('Knowledge items by status over time, the review queue, and knowledge sources with their freshness')
    .tags(['flywheel'])
    .time({ from: 'now-30d', to: 'now' })
    .refresh('1m')
    .timezone('utc')
    .readonly()
    .variables(sqlVariables())
    .withRow(new RowBuilder('Items'))
    .withPanel(
      new TimeSeriesPanel()
        .title('Items by status')
        .description('Items pending, committed, rejected and superseded at the end of each interval, replayed from every status change up to it (changes before the range make its first point)')
        .unit('short')
        .span(12)
        .height(8)
        .withTarget(sqlSeries(`
          SELECT time, status AS metric, sum(delta) OVER (PARTITION BY status ORDER BY time) AS items
          FROM (
            SELECT greatest($__timeGroup(e.time, $__interval), extract(epoch FROM $__timeFrom()::timestamptz)) AS time,
                   s.status, sum(s.delta) AS delta
            FROM flywheel_knowledge_events e
            CROSS JOIN LATERAL (VALUES (e.to_status, 1), (e.from_status, -1)) AS s(status, delta)
            WHERE e.time <= $__timeTo() AND s.status IS NOT NULL AND e.project = '$project' AND e.agent IN ($agent, 'shared')
            GROUP BY 1, 2
          ) changes
          ORDER BY 1`)),
    )
    .withPanel(
      new TimeSeriesPanel()
        .title('Status changes')
        .description('Items moved into each status per interval (created pending, committed, rejected, superseded)')
        .unit('short')
        .span(12)
        .height(8)
        .withTarget(sqlSeries(`
          SELECT $__timeGroupAlias(time, $__interval), to_status AS metric, count(*) AS changes
          FROM flywheel_knowledge_events
          WHERE $__timeFilter(time) AND ${KNOWLEDGE_SCOPE}
          GROUP BY 1, 2 ORDER BY 1`)),
    )
    .withPanel(
      new TablePanel()
        .title('Review queue')
        .description('Pending items, most confident first: what a reviewer approves or rejects (POST /api/knowledge/:id/approve or /reject)')
        .span(24)
        .height(9)
        .filterable(true)
        .withTarget(sqlTable(`
          SELECT item_id, agent, key, content, confidence, origin, supporters, interactions, source_uri, conflict_with,
                 stale_at, created_at
          FROM flywheel_knowledge_items
          WHERE ${KNOWLEDGE_SCOPE} AND status = 'pending'
          ORDER BY confidence DESC, created_at
          LIMIT 200`)),
    )
    .withRow(new RowBuilder('Sources'))
    .withPanel(
      new TablePanel()
        .title('Sources and their freshness')
        .description('Registered knowledge sources: refresh status, update frequency, when last read and changed, age of the content, overdue refreshes')
        .span(24)
        .height(8)
        .filterable(true)
        .withTarget(sqlTable(`
          SELECT uri, agent, status, trusted, update_frequency_s, last_fetched_at, last_changed_at, next_fetch_at,
                 age_s, overdue, failures, error
          FROM flywheel_knowledge_sources
          WHERE ${KNOWLEDGE_SCOPE}
          ORDER BY overdue DESC, age_s DESC NULLS LAST`)),
    );
}
