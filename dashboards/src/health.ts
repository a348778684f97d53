// Processor health, from Prometheus: what the processor exports at GET /metrics (api/metrics.ts,
// store/pool-metrics.ts, score/metrics.ts, mine/metrics.ts, prom-client's default metrics, each name
// prefixed with flywheel_process_) and the OTel Collector's own metrics (otelcol_*, as the Collector's
// Prometheus exporter names them: counters carry the _total suffix). No query filters on a job
// or an SDK name: each selects by metric name and the labels the metric itself defines.
import { DashboardBuilder, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS, promql } from './common.ts';

interface Query {
  expr: string;
  legend: string;
}

const panel = (title: string, description: string, unit: string, queries: Query[], span = 12) => {
  const builder = new TimeSeriesPanel().title(title).description(description).unit(unit).span(span).height(8).datasource(PROMETHEUS);
  queries.forEach((q, i) => builder.withTarget(promql(q.expr, q.legend, String.fromCharCode(65 + i))));
  return builder;
};

const q = (expr: string, legend: string): Query => ({ expr, legend });
const p95 = (histogram: string, by = '') => `histogram_quantile(0.95, sum by (le${by}) (rate(${histogram}_bucket[$__rate_interval])))`;

/** $project and $agent, from the labels of the forecast gauge (the one metric labelled by both). */
function promVariables() {
  const variable = (name: string, label: string, query: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(PROMETHEUS)
      .query(query)
      .definition(query)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ text: 'All', value: '$__all' });
  return [
    variable('project', 'Project', 'label_values(flywheel_mine_forecast_alert, project)'),
    variable('agent', 'Agent', 'label_values(flywheel_mine_forecast_alert{project=~"$project"}, agent)'),
  ];
}

export function healthDashboard() {
  return new DashboardBuilder('Processor health')
    .uid('flywheel-health')
    .description('Ingest by signal and result, rejections, latency, backpressure, connection pools, scoring and mining lag, judge calls, and the Collector in front')
    .tags(['flywheel'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('utc')
    .readonly()
    .variables(promVariables())
    .withRow(new RowBuilder('Ingest'))
    .withPanel(panel('Ingest rate by signal and result', 'Spans, log records and data points per second: stored, duplicate (a retry), rejected', 'short', [
      q('sum by (signal, result) (rate(flywheel_otlp_items_total[$__rate_interval]))', '{{signal}} {{result}}'),
    ]))
    .withPanel(panel('Requests by outcome', 'OTLP export requests per second by signal and outcome (accepted, bad_request, too_large, unavailable, ...)', 'reqps', [
      q('sum by (signal, outcome) (rate(flywheel_otlp_requests_total[$__rate_interval]))', '{{signal}} {{outcome}}'),
    ]))
    .withPanel(panel('Rejections by reason', 'Spans rejected per second, by reason', 'short', [
      q('sum by (reason) (rate(flywheel_otlp_items_total{result="rejected"}[$__rate_interval]))', '{{reason}}'),
      q('sum by (signal) (rate(flywheel_interaction_build_failures_total[$__rate_interval]))', 'build failures {{signal}}'),
    ]))
    .withPanel(panel('Request latency', 'p95 and p50 of OTLP requests from arrival to response (after the commit), by signal', 's', [
      q(p95('flywheel_otlp_request_duration_seconds', ', signal'), 'p95 {{signal}}'),
      q('histogram_quantile(0.5, sum by (le, signal) (rate(flywheel_otlp_request_duration_seconds_bucket[$__rate_interval])))', 'p50 {{signal}}'),
    ]))
    .withRow(new RowBuilder('Backpressure and pools'))
    .withPanel(panel('Backpressure', 'Batches being written and waiting for a writer, and 503s sent back (the sender retries)', 'short', [
      q('sum(flywheel_otlp_writes_in_flight)', 'writing'),
      q('sum(flywheel_otlp_writes_queued)', 'queued'),
      q('sum(rate(flywheel_otlp_requests_total{outcome="unavailable"}[$__rate_interval]))', '503/s'),
    ]))
    .withPanel(panel('Pending request bytes', 'Bytes of OTLP request bodies held in memory', 'bytes', [q('sum(flywheel_otlp_pending_bytes)', 'pending')]))
    .withPanel(panel('Connection pools', 'Postgres connections per pool: open, idle, and queries waiting for one', 'short', [
      q('sum by (pool, state) (flywheel_db_pool_connections)', '{{pool}} {{state}}'),
    ]))
    .withPanel(panel('Pool use', 'Busy connections (open minus idle) over each pool\'s size', 'percentunit', [
      q('(sum by (pool) (flywheel_db_pool_connections{state="total"}) - sum by (pool) (flywheel_db_pool_connections{state="idle"})) / sum by (pool) (flywheel_db_pool_max)', '{{pool}}'),
    ]))
    .withRow(new RowBuilder('Scoring and mining'))
    .withPanel(panel('Scoring lag', 'p95 from the last ingest of an interaction to its scoring (includes the settle delay), and the score queue', 's', [
      q(p95('flywheel_score_lag_seconds'), 'lag p95'),
      q('sum(flywheel_score_queue_depth)', 'queued'),
    ]))
    .withPanel(panel('Scoring', 'Interactions scored per second by trigger, and the p95 batch duration', 'short', [
      q('sum by (trigger) (rate(flywheel_score_interactions_scored_total[$__rate_interval]))', '{{trigger}}'),
      q(p95('flywheel_score_batch_duration_seconds'), 'batch p95 (s)'),
    ]))
    .withPanel(panel('Training-eligible rate (scorings)', 'Share of scorings whose gate result is eligible', 'percentunit', [
      q('sum(rate(flywheel_score_gate_total{result="eligible"}[$__rate_interval])) / sum(rate(flywheel_score_gate_total[$__rate_interval]))', 'eligible'),
    ]))
    .withPanel(panel('Mining lag', 'Agents waiting for a mining pass, agents mined per second and the p95 pass duration', 'short', [
      q('sum(flywheel_mine_queue_depth)', 'agents queued'),
      q('sum(rate(flywheel_mine_agents_mined_total[$__rate_interval]))', 'agents mined/s'),
      q(p95('flywheel_mine_pass_duration_seconds'), 'pass p95 (s)'),
    ]))
    .withPanel(panel('Degradation forecasts', '1 while an agent\'s metric is below its threshold or forecast to cross it', 'short', [
      q('max by (project, agent, metric) (flywheel_mine_forecast_alert{project=~"$project", agent=~"$agent"})', '{{project}} {{agent}} {{metric}}'),
    ]))
    .withPanel(panel('Open patterns', 'Failure and success patterns open, every project', 'short', [
      q('sum by (kind) (flywheel_mine_patterns_open)', '{{kind}}'),
    ]))
    .withRow(new RowBuilder('Judge'))
    .withPanel(panel('Judge calls', 'LLM-judge requests per second by outcome (ok, malformed, timeout, error), and their p95 duration', 'short', [
      q('sum by (outcome) (rate(flywheel_judge_requests_total[$__rate_interval]))', '{{outcome}}'),
      q(p95('flywheel_judge_request_duration_seconds', ', outcome'), 'p95 {{outcome}} (s)'),
    ]))
    .withPanel(panel('Judge spend', 'Tokens per second by type, and US dollars per hour', 'short', [
      q('sum by (type) (rate(flywheel_judge_tokens_total[$__rate_interval]))', '{{type}} tokens/s'),
      q('sum(rate(flywheel_judge_cost_usd_total[$__rate_interval])) * 3600', 'USD/h'),
    ]))
    .withRow(new RowBuilder('Process'))
    .withPanel(panel('Memory and event loop', 'Resident memory, and the event loop\'s p99 delay', 'short', [
      q('sum(flywheel_process_process_resident_memory_bytes)', 'resident bytes'),
      q('max(flywheel_process_nodejs_eventloop_lag_p99_seconds)', 'event loop p99 (s)'),
    ]))
    .withPanel(panel('CPU', 'CPU seconds per second of the processor', 'percentunit', [
      q('sum(rate(flywheel_process_process_cpu_seconds_total[$__rate_interval]))', 'cpu'),
    ]))
    .withRow(new RowBuilder('OTel Collector'))
    .withPanel(panel('Collector receivers', 'Spans accepted and refused per second by receiver', 'short', [
      q('sum by (receiver) (rate(otelcol_receiver_accepted_spans_total[$__rate_interval]))', 'accepted {{receiver}}'),
      q('sum by (receiver) (rate(otelcol_receiver_refused_spans_total[$__rate_interval]))', 'refused {{receiver}}'),
    ]))
    .withPanel(panel('Collector exporters', 'Spans sent and failed per second by exporter (otlphttp to the processor, to Tempo)', 'short', [
      q('sum by (exporter) (rate(otelcol_exporter_sent_spans_total[$__rate_interval]))', 'sent {{exporter}}'),
      q('sum by (exporter) (rate(otelcol_exporter_send_failed_spans_total[$__rate_interval]))', 'failed {{exporter}}'),
    ]))
    .withPanel(panel('Collector sending queue', 'Batches in each exporter\'s sending queue, against its capacity', 'short', [
      q('sum by (exporter) (otelcol_exporter_queue_size)', 'size {{exporter}}'),
      q('sum by (exporter) (otelcol_exporter_queue_capacity)', 'capacity {{exporter}}'),
    ], 24));
}
