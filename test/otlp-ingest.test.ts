// Spans, log records and metrics sent by the real OTel SDK through the official OTLP
// exporters (protobuf and JSON, gzip on and off) land in Postgres, field by field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { context, SeverityNumber, trace } from '@opentelemetry/api';
import { describeSender, endAgentTrace, loggerProvider, meterProvider, SENDER_MATRIX, startAgentTrace, T0, tracerProvider } from './otel-senders.ts';
import { startProcessor, type TestProcessor } from './harness.ts';

let processor: TestProcessor;
before(async () => {
  processor = await startProcessor();
});
after(async () => {
  await processor.stop();
});

const ns = (ms: number) => (BigInt(T0 + ms) * 1_000_000n).toString();

for (const sender of SENDER_MATRIX) {
  describe(`sent by ${describeSender(sender)}`, () => {
    test('stores every span of an agent trace field by field and assembles its interaction', async () => {
      const provider = tracerProvider({ ...sender, url: processor.url });
      const conversation = `conv-${sender.encoding}-${sender.gzip}`;
      const t = startAgentTrace(provider, { conversation, user: 'user-42' });
      endAgentTrace(t);
      await provider.forceFlush();
      await provider.shutdown();

      const traceId = t.root.spanContext().traceId;
      const spans = await processor.query('SELECT * FROM spans WHERE trace_id = $1 ORDER BY start_time_unix_nano', [traceId]);
      assert.equal(spans.length, 4);
      const [root, chat1, tool, chat2] = spans;
      const scope = { name: '@agent-flywheel/instrumentation', version: '0.1.0', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };
      const resource = { attributes: { 'service.name': 'support-agent', 'service.version': '1.4.2' }, droppedAttributesCount: 0, schemaUrl: '' };
      assert.deepEqual(root, {
        trace_id: traceId,
        span_id: t.root.spanContext().spanId,
        parent_span_id: null,
        name: 'invoke_agent support-agent',
        kind: 1,
        start_time_unix_nano: ns(0),
        end_time_unix_nano: ns(1000),
        status_code: 0,
        status_message: '',
        trace_state: '',
        flags: '257',
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.agent.name': 'support-agent',
          'gen_ai.agent.id': 'agent-7',
          'gen_ai.conversation.id': conversation,
          'user.id': 'user-42',
          'flywheel.intent': 'order_status',
          'flywheel.confidence': 0.92,
          'flywheel.knowledge.sources': ['kb://orders/faq', 'kb://shipping/policy'],
          'flywheel.prompt.version': 'v3',
          'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Where is order A-1001?"}]}]',
          'gen_ai.output.messages':
            '[{"role":"assistant","finish_reason":"stop","parts":[{"type":"text","content":"A-1001 has shipped."}]}]',
        },
        events: [],
        links: [],
        dropped_attributes_count: 0,
        dropped_events_count: 0,
        dropped_links_count: 0,
        resource,
        scope,
        service_name: 'support-agent',
        received_at: root!.received_at,
        project_id: 1,
        genai_role: 'agent',
      });
      // How assembly sees each span on its own, stored for ingest's subtree walk.
      assert.deepEqual(spans.map((s) => s.genai_role), ['agent', 'genai', 'genai', 'genai']);
      assert.equal(chat1!.parent_span_id, t.root.spanContext().spanId);
      assert.equal(chat1!.kind, 3);
      assert.deepEqual(chat1!.attributes, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 15,
        'gen_ai.usage.cache_read.input_tokens': 100,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.stream': true,
        'gen_ai.response.time_to_first_chunk': 0.05,
        'server.address': 'api.openai.com',
        'server.port': 443,
      });
      assert.deepEqual(chat1!.events, [
        { timeUnixNano: ns(20), name: 'gen_ai.content.note', attributes: { 'note.flag': true, 'note.count': 3 }, droppedAttributesCount: 0 },
      ]);
      assert.equal(tool!.status_code, 2);
      assert.equal(tool!.status_message, 'order service timed out');
      assert.deepEqual(tool!.links, [
        {
          traceId,
          spanId: t.chat1.spanContext().spanId,
          traceState: '',
          attributes: { 'link.reason': 'requested_by' },
          droppedAttributesCount: 0,
          flags: 257,
        },
      ]);
      assert.equal(chat2!.end_time_unix_nano, ns(900));

      const interactions = await processor.query('SELECT * FROM interactions WHERE trace_id = $1', [traceId]);
      assert.equal(interactions.length, 1);
      const i = interactions[0]!;
      assert.deepEqual(
        { ...i, created_at: undefined, updated_at: undefined },
        {
          project_id: 1,
          id: `${traceId}-${t.root.spanContext().spanId}`,
          trace_id: traceId,
          span_id: t.root.spanContext().spanId,
          operation: 'invoke_agent',
          name: 'invoke_agent support-agent',
          start_time: new Date(T0),
          start_time_unix_nano: ns(0),
          response_time_ms: 1000,
          time_to_first_token_ms: 50,
          session_id: conversation,
          user_id: 'user-42',
          agent_name: 'support-agent',
          agent_id: 'agent-7',
          service_name: 'support-agent',
          service_version: '1.4.2',
          system_instructions: null,
          user_input: [{ role: 'user', parts: [{ type: 'text', content: 'Where is order A-1001?' }] }],
          response: [{ role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'A-1001 has shipped.' }] }],
          request_model: 'gpt-4o-mini',
          response_model: 'gpt-4o-mini-2024-07-18',
          provider: 'openai',
          input_tokens: '300',
          output_tokens: '37',
          cache_read_input_tokens: '100',
          cache_creation_input_tokens: null,
          reasoning_output_tokens: null,
          finish_reasons: i.finish_reasons,
          tools: [
            {
              name: 'lookup_order',
              callId: 'call_7',
              spanId: t.tool.spanContext().spanId,
              durationMs: 250,
              error: 'TimeoutError',
              arguments: null,
              result: null,
            },
          ],
          intent: 'order_status',
          confidence: 0.92,
          knowledge_sources: ['kb://orders/faq', 'kb://shipping/policy'],
          prompt_version: 'v3',
          expected_output: null,
          status: 'error',
          error_type: 'TimeoutError',
          error_message: 'order service timed out',
          span_ids: [t.root, t.chat1, t.tool, t.chat2].map((s) => s.spanContext().spanId),
          conventions: ['genai-semconv'],
          sub_agents: [],
          created_at: undefined,
          updated_at: undefined,
        },
      );
      assert.deepEqual(i.finish_reasons, ['stop']);
    });

    test('stores log records with every AnyValue kind and joins GenAI events to their span', async () => {
      const traces = tracerProvider({ ...sender, url: processor.url });
      const logs = loggerProvider({ ...sender, url: processor.url });
      const t = startAgentTrace(traces, { conversation: `logs-${sender.encoding}-${sender.gzip}`, user: 'user-7' });
      // The evaluation arrives first, its span later: the join works either way.
      logs.getLogger('feedback', '2.0.0').emit({
        eventName: 'gen_ai.evaluation.result',
        timestamp: T0 + 5000,
        observedTimestamp: T0 + 5001,
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        context: trace.setSpan(context.active(), t.root),
        attributes: {
          'gen_ai.evaluation.name': 'user_feedback',
          'gen_ai.evaluation.score.value': 0.8,
          'gen_ai.evaluation.score.label': 'good',
          'flywheel.feedback.rating': 4,
        },
        body: {
          comment: 'quick answer',
          tags: ['fast', 1, true, 2.5],
          raw: new Uint8Array([0, 1, 2, 250]),
          nested: { deep: { flag: false } },
          nothing: null,
        },
      });
      await logs.forceFlush();
      endAgentTrace(t);
      await traces.forceFlush();
      await Promise.all([logs.shutdown(), traces.shutdown()]);

      const traceId = t.root.spanContext().traceId;
      const rows = await processor.query('SELECT * FROM log_records WHERE trace_id = $1', [traceId]);
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.match(row.content_hash as string, /^[0-9a-f]{64}$/);
      assert.match(row.arrival as string, /^[1-9][0-9]*$/);
      assert.deepEqual(
        { ...row, content_hash: undefined, received_at: undefined, arrival: undefined },
        {
          content_hash: undefined,
          arrival: undefined,
          project_id: 1,
          trace_id: traceId,
          span_id: t.root.spanContext().spanId,
          time_unix_nano: ns(5000),
          observed_time_unix_nano: ns(5001),
          severity_number: 9,
          severity_text: 'INFO',
          event_name: 'gen_ai.evaluation.result',
          body: {
            comment: 'quick answer',
            tags: ['fast', 1, true, 2.5],
            raw: Buffer.from([0, 1, 2, 250]).toString('base64'),
            nested: { deep: { flag: false } },
            nothing: null,
          },
          attributes: {
            'gen_ai.evaluation.name': 'user_feedback',
            'gen_ai.evaluation.score.value': 0.8,
            'gen_ai.evaluation.score.label': 'good',
            'flywheel.feedback.rating': 4,
          },
          dropped_attributes_count: 0,
          flags: '1',
          resource: { attributes: { 'service.name': 'support-agent', 'service.version': '1.4.2' }, droppedAttributesCount: 0, schemaUrl: '' },
          scope: { name: 'feedback', version: '2.0.0', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
          received_at: undefined,
        },
      );
      const interactionId = `${traceId}-${t.root.spanContext().spanId}`;
      const detail = (await (await fetch(`${processor.url}/api/interactions/${interactionId}`)).json()) as {
        events: { name: string; spanId: string; source: string; attributes: Record<string, unknown> }[];
      };
      const evaluation = detail.events.find((e) => e.name === 'gen_ai.evaluation.result')!;
      assert.deepEqual(evaluation.attributes['gen_ai.evaluation.score.value'], 0.8);
      assert.equal(evaluation.spanId, t.root.spanContext().spanId);
      assert.equal(evaluation.source, 'log_record');
    });

    test('stores metric data points', async () => {
      const meters = meterProvider({ ...sender, url: processor.url });
      const meter = meters.getMeter('gen_ai.metrics', '1.0.0');
      const service = `metrics-${sender.encoding}-${sender.gzip}`;
      meter.createCounter('flywheel.test.calls', { unit: '{call}' }).add(3, { service });
      meter
        .createHistogram('gen_ai.client.token.usage', { unit: '{token}', advice: { explicitBucketBoundaries: [1, 4, 16] } })
        .record(10, { service, 'gen_ai.token.type': 'input' });
      // Shutdown exports once; a forceFlush before it would export a second cumulative point.
      await meters.shutdown();
      const rows = await processor.query(
        `SELECT name, type, unit, value, is_monotonic, aggregation_temporality, attributes, data
         FROM metric_points WHERE attributes->>'service' = $1 ORDER BY name`,
        [service],
      );
      assert.deepEqual(
        rows.map((r) => ({ ...r, data: undefined })),
        [
          {
            name: 'flywheel.test.calls',
            type: 'sum',
            unit: '{call}',
            value: 3,
            is_monotonic: true,
            aggregation_temporality: 2,
            attributes: { service },
            data: undefined,
          },
          {
            name: 'gen_ai.client.token.usage',
            type: 'histogram',
            unit: '{token}',
            value: null,
            is_monotonic: false,
            aggregation_temporality: 2,
            attributes: { service, 'gen_ai.token.type': 'input' },
            data: undefined,
          },
        ],
      );
      const histogram = rows[1]!.data as Record<string, unknown>;
      assert.equal(Number(histogram.count), 1);
      assert.equal(histogram.sum, 10);
      assert.deepEqual(histogram.explicitBounds, [1, 4, 16]);
      assert.deepEqual((histogram.bucketCounts as unknown[]).map(Number), [0, 0, 1, 0]);
    });
  });
}
