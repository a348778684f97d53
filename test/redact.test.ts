// PII redaction at ingest (FLYWHEEL_REDACT=default plus a custom pattern): spans, log records
// and metrics sent by the real OTel SDK (protobuf and JSON) and feedback sent to the REST API
// carry emails, phone numbers, cards, IBANs, secrets and addresses; afterwards no table holds
// any of them, the placeholders are where the values were, and /metrics counts each type.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { context, SeverityNumber, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startProcessor, type TestProcessor } from './harness.ts';
import { postJson } from './otlp-json-builder.ts';
import { loggerProvider, meterProvider, T0, tracerProvider } from './otel-senders.ts';

const PII = {
  email: 'jane.doe@example.com',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'DE89370400440532013000',
  secret: 'sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789',
  ip: '203.0.113.77',
  ticket: 'TCK-48213',
  feedbackEmail: 'bob.smith@example.org',
  correctionPhone: '(415) 555-2671',
};
/** Lookalikes that must survive: an order id failing Luhn, a version, a timestamp, an ISBN. */
const KEPT = ['order 4111111111111112', 'v1.2.3.4', '2026-12-03T14:00:06Z', 'ISBN 978-3-16-148410-0'];

let processor: TestProcessor;
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-redact-'));
  const patterns = path.join(dir, 'patterns.json');
  await writeFile(patterns, JSON.stringify({ TICKET: String.raw`\bTCK-\d{5}\b` }));
  processor = await startProcessor({
    settings: { FLYWHEEL_REDACT: 'default', FLYWHEEL_REDACT_PATTERNS: patterns, FLYWHEEL_SCORE_WORKERS: '0' },
  });
});
after(async () => {
  await processor.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One agent turn full of personal data: messages, a tool call's arguments and result, an event, a status, logs and a metric. */
async function sendTurn(encoding: 'protobuf' | 'json'): Promise<{ traceId: string; spanId: string }> {
  const sender = { url: processor.url, encoding, gzip: false, serviceName: `agent-${encoding}` };
  const provider = tracerProvider(sender);
  const tracer = provider.getTracer('redact-test');
  const user = `My email is ${PII.email}, call ${PV('phone')}. Card ${PII.card}, IBAN ${PII.iban}. Ticket ${PII.ticket}. ${KEPT.join('; ')}`;
  const root = tracer.startSpan('invoke_agent support-agent', {
    kind: SpanKind.INTERNAL,
    startTime: T0,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support-agent',
      'user.id': PII.email,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: user }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `I wrote to ${PII.email}.` }] }]),
      'client.address': PII.ip,
    },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const tool = tracer.startSpan(
    'execute_tool send_mail',
    {
      startTime: T0 + 10,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'send_mail',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': JSON.stringify({ to: PII.email, auth: `Bearer ${PII.secret}` }),
        'gen_ai.tool.call.result': JSON.stringify({ relay: PII.ip, ok: true }),
      },
    },
    inRoot,
  );
  tool.addEvent('retry', { 'retry.reason': `mailbox ${PII.email} busy` }, T0 + 20);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: `could not reach ${PII.phone}` });
  tool.end(T0 + 50);
  root.end(T0 + 100);
  await provider.forceFlush();
  await provider.shutdown();

  const { traceId, spanId } = root.spanContext();
  const logs = loggerProvider(sender);
  const logger = logs.getLogger('redact-test');
  const spanContext = trace.setSpan(context.active(), root);
  logger.emit({
    eventName: 'gen_ai.user.message',
    body: { content: `again: ${PII.email} / ${PII.card}` },
    severityNumber: SeverityNumber.INFO,
    context: spanContext,
  });
  logger.emit({
    eventName: 'gen_ai.evaluation.result',
    attributes: {
      'gen_ai.evaluation.name': 'user_feedback',
      'gen_ai.evaluation.score.value': 0.2,
      'gen_ai.evaluation.explanation': `wrong account ${PII.iban}`,
      'flywheel.feedback.correction': `use ${PII.email}`,
    },
    context: spanContext,
  });
  await logs.forceFlush();
  await logs.shutdown();

  const meters = meterProvider(sender);
  meters.getMeter('redact-test').createCounter('agent.requests').add(1, { 'client.address': PII.ip });
  await meters.forceFlush();
  await meters.shutdown();
  return { traceId, spanId };
}

/** A value of PII by name; a function so the turn's text reads as a sentence. */
function PV(name: keyof typeof PII): string {
  return PII[name];
}

/** Every row of every table in the processor's schema, as text, by table. */
async function everyRow(): Promise<Map<string, string[]>> {
  const tables = await processor.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  const rows = new Map<string, string[]>();
  for (const { table_name } of tables) {
    const found = await processor.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
    rows.set(table_name, found.map((r) => r.row));
  }
  return rows;
}

test('nothing personal is stored from spans, log records, metrics and feedback; placeholders and lookalikes are', async () => {
  const turns = [await sendTurn('protobuf'), await sendTurn('json')];
  for (const turn of turns) {
    const feedback = await postJson(`${processor.url}/api/feedback`, {
      interactionId: `${turn.traceId}-${turn.spanId}`,
      score: 0.3,
      comment: `please mail ${PII.feedbackEmail}`,
      correction: `call ${PII.correctionPhone} instead`,
    });
    assert.equal(feedback.status, 201);
  }

  const rows = await everyRow();
  for (const [table, texts] of rows) {
    for (const text of texts) {
      for (const [name, value] of Object.entries(PII)) assert.ok(!text.includes(value), `${table} holds the ${name} ${value}: ${text}`);
    }
  }

  for (const { traceId } of turns) {
    const spans = await processor.query<{ name: string; attributes: Record<string, string>; events: { attributes: Record<string, string> }[]; status_message: string }>(
      'SELECT name, attributes, events, status_message FROM spans WHERE trace_id = $1 ORDER BY start_time_unix_nano',
      [traceId],
    );
    assert.deepEqual(
      spans.map((s) => s.name),
      ['invoke_agent support-agent', 'execute_tool send_mail'],
    );
    const [root, tool] = spans;
    const input = JSON.parse(root!.attributes['gen_ai.input.messages']!) as { parts: { content: string }[] }[];
    assert.equal(
      input[0]!.parts[0]!.content,
      `My email is [EMAIL], call [PHONE]. Card [CARD], IBAN [IBAN]. Ticket [TICKET]. ${KEPT.join('; ')}`,
    );
    assert.equal(root!.attributes['user.id'], '[EMAIL]');
    assert.equal(root!.attributes['client.address'], '[IP]');
    assert.deepEqual(JSON.parse(tool!.attributes['gen_ai.tool.call.arguments']!), { to: '[EMAIL]', auth: 'Bearer [SECRET]' });
    assert.deepEqual(JSON.parse(tool!.attributes['gen_ai.tool.call.result']!), { relay: '[IP]', ok: true });
    assert.equal(tool!.events[0]!.attributes['retry.reason'], 'mailbox [EMAIL] busy');
    assert.equal(tool!.status_message, 'could not reach [PHONE]');

    const logs = await processor.query<{ event_name: string; body: unknown; attributes: Record<string, unknown> }>(
      'SELECT event_name, body, attributes FROM log_records WHERE trace_id = $1 ORDER BY event_name',
      [traceId],
    );
    assert.deepEqual(
      logs.map((l) => l.event_name),
      ['gen_ai.evaluation.result', 'gen_ai.user.message'],
    );
    assert.equal(logs[0]!.attributes['gen_ai.evaluation.explanation'], 'wrong account [IBAN]');
    assert.deepEqual(logs[1]!.body, { content: 'again: [EMAIL] / [CARD]' });

    const [interaction] = await processor.query<{ user_id: string; user_input: unknown; response: unknown; tools: unknown }>(
      'SELECT user_id, user_input, response, tools FROM interactions WHERE trace_id = $1',
      [traceId],
    );
    assert.equal(interaction!.user_id, '[EMAIL]');
    assert.match(JSON.stringify(interaction!.user_input), /My email is \[EMAIL\], call \[PHONE\]\. Card \[CARD\], IBAN \[IBAN\]\. Ticket \[TICKET\]\./);
    assert.match(JSON.stringify(interaction!.response), /I wrote to \[EMAIL\]\./);

    const feedback = await processor.query<{ source: string; comment: string | null; correction: string | null }>(
      'SELECT source, comment, correction FROM feedback WHERE trace_id = $1 ORDER BY source',
      [traceId],
    );
    assert.deepEqual(feedback, [
      { source: 'api', comment: 'please mail [EMAIL]', correction: 'call [PHONE] instead' },
      { source: 'otlp', comment: 'wrong account [IBAN]', correction: 'use [EMAIL]' },
    ]);
  }
  const points = await processor.query<{ attributes: Record<string, string> }>("SELECT attributes FROM metric_points WHERE name = 'agent.requests'");
  // Each sender exports its cumulative point twice: on forceFlush and on shutdown.
  assert.deepEqual(
    points.map((p) => p.attributes),
    Array.from({ length: 4 }, () => ({ 'client.address': '[IP]' })),
  );

  const metrics = await (await fetch(`${processor.url}/metrics`)).text();
  const counted = Object.fromEntries([...metrics.matchAll(/^flywheel_redactions_total\{type="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  // Per turn: EMAIL 7 (user text, user.id, output, tool arguments, event, log body, correction
  // log) + 1 (API comment); PHONE 2 + 1 (API correction); CARD 2; IBAN 2; SECRET 1; IP 4 (client.address, tool result, two
  // metric exports); TICKET 1.
  assert.deepEqual(counted, { SECRET: 2, EMAIL: 16, IBAN: 4, CARD: 4, IP: 8, PHONE: 6, TICKET: 2 });
});
