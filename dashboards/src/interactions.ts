// Interactions: a searchable table of interactions, each trace id linking to its trace in Tempo
// and each interaction id to the processor's GET /api/interactions/:id.
import { DashboardBuilder, TextBoxVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { SCOPE, TEMPO, sqlTable, sqlVariables } from './common.ts';

/** The processor's URL as the browser reaches it (the compose bundle publishes 4318). */
export const DEFAULT_PROCESSOR_URL = 'http://localhost:4318';

/**
 * The search box: an exact user, session, trace or interaction id, or a part of the intent.
 * Grafana doubles single quotes in a single-valued variable, so it stays inside its literal.
 */
const SEARCH =
  `('$search' = '' OR user_id = '$search' OR session_id = '$search' OR trace_id = '$search' OR interaction_id = '$search' OR intent ILIKE '%$search%')`;

export function interactionsDashboard() {
  return new DashboardBuilder('Interactions')
    .uid('flywheel-interactions')
    .description('Interactions by agent, user, session and intent, with their scores and training gate; each links to its trace and its detail')
    .tags(['flywheel'])
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('utc')
    .readonly()
    .variables([
      ...sqlVariables(),
      new TextBoxVariableBuilder('search')
        .label('Search (user, session, trace, interaction id or intent)')
        .defaultValue('')
        .current({ text: '', value: '' }),
      new TextBoxVariableBuilder('processor')
        .label('Processor URL')
        .defaultValue(DEFAULT_PROCESSOR_URL)
        .current({ text: DEFAULT_PROCESSOR_URL, value: DEFAULT_PROCESSOR_URL }),
    ])
    .withPanel(
      new StatPanel()
        .title('Training gate')
        .description('Interactions in the range matching the search, by gate: eligible, ineligible, unscored')
        .span(24)
        .height(4)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .withTarget(sqlTable(`
          SELECT count(*) FILTER (WHERE gate = 'eligible') AS eligible,
                 count(*) FILTER (WHERE gate = 'ineligible') AS ineligible,
                 count(*) FILTER (WHERE gate = 'unscored') AS unscored
          FROM flywheel_interactions
          WHERE $__timeFilter(time) AND ${SCOPE} AND ${SEARCH}`)),
    )
    .withPanel(
      new TablePanel()
        .title('Interactions')
        .description('Newest first, up to 500; the trace id opens the trace in Tempo, the interaction id its detail from the processor')
        .span(24)
        .height(18)
        .filterable(true)
        .withTarget(sqlTable(`
          SELECT time, agent, user_id, session_id, intent, status, response_time_ms,
                 accuracy, completeness, relevance, timeliness, satisfaction, gate, ineligible_reason, outcome,
                 model, prompt_version, trace_id, interaction_id
          FROM flywheel_interactions
          WHERE $__timeFilter(time) AND ${SCOPE} AND ${SEARCH}
          ORDER BY time DESC
          LIMIT 500`))
        .overrideByName('trace_id', [
          {
            id: 'links',
            value: [
              {
                title: 'Trace in Tempo',
                url: '',
                internal: {
                  datasourceUid: TEMPO.uid,
                  datasourceName: 'Tempo',
                  query: { refId: 'A', queryType: 'traceql', query: '${__value.raw}' },
                },
              },
            ],
          },
        ])
        .overrideByName('interaction_id', [
          {
            id: 'links',
            value: [{ title: 'Interaction detail', url: '${processor:raw}/api/interactions/${__value.raw}', targetBlank: true }],
          },
        ]),
    );
}
