// register()'s configuration: options over OTEL_* env vars over defaults, and errors that say
// which option or variable is wrong, what it should be, and what it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseCaptureContent, resolveConfig } from '../src/config.ts';
import type { FlywheelConfig } from '../src/types.ts';
import { OpenAIInstrumentation } from '../src/instrumentation.ts';

test('with no options and no env vars, the defaults apply and the exporters keep their own env handling', () => {
  assert.deepEqual(resolveConfig(undefined, {}), {
    serviceName: undefined,
    endpoint: undefined,
    headers: undefined,
    protocol: 'http/protobuf',
    captureContent: false,
    maxQueueSize: 2048,
    instrumentations: [],
    instrumentationPackages: [],
  });
});

test('the standard env vars are read; an empty one counts as unset', () => {
  const config = resolveConfig(undefined, {
    OTEL_SERVICE_NAME: 'support-agent',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    OTEL_BSP_MAX_QUEUE_SIZE: '',
  });
  assert.deepEqual(config, {
    serviceName: 'support-agent',
    endpoint: undefined, // validated, then left to the exporters (which also read the per-signal variables)
    headers: undefined,
    protocol: 'http/json',
    captureContent: true,
    maxQueueSize: 2048,
    instrumentations: [],
    instrumentationPackages: [],
  });
});

test('options win over env vars', () => {
  const config = resolveConfig(
    { serviceName: 'from-code', endpoint: 'https://flywheel.example:4318/', captureContent: false, maxQueueSize: 10, headers: { 'x-api-key': 'k' } },
    { OTEL_SERVICE_NAME: 'from-env', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true', OTEL_BSP_MAX_QUEUE_SIZE: '99' },
  );
  assert.deepEqual(config, {
    serviceName: 'from-code',
    endpoint: 'https://flywheel.example:4318/',
    headers: { 'x-api-key': 'k' },
    protocol: 'http/protobuf',
    captureContent: false,
    maxQueueSize: 10,
    instrumentations: [],
    instrumentationPackages: [],
  });
});

test('content capture accepts the boolean and the util-genai enum spellings, case-insensitively', () => {
  const cases: [string, boolean | undefined][] = [
    ['true', true],
    ['FALSE', false],
    ['SPAN_ONLY', true],
    ['span_and_event', true],
    ['NO_CONTENT', false],
    ['EVENT_ONLY', false],
    ['yes', undefined],
  ];
  for (const [value, expected] of cases) assert.equal(parseCaptureContent(value), expected, value);
});

test('each bad value is named with the expected form and what was given, all at once', () => {
  assert.throws(
    () =>
      resolveConfig({ endpoint: 'localhost:4318', protocol: 'grpc', captrueContent: true } as unknown as FlywheelConfig, {
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes',
        OTEL_BSP_MAX_QUEUE_SIZE: '0',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        [
          "register() has no option 'captrueContent'; the options are serviceName, endpoint, headers, protocol, captureContent, instrumentations, maxQueueSize",
          "register() option endpoint must be an absolute http(s) URL such as http://localhost:4318, got 'localhost:4318'",
          "register() option protocol must be 'http/protobuf' or 'http/json' (the processor speaks OTLP/HTTP, not grpc), got 'grpc'",
          "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT must be true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT, got 'yes'",
          "OTEL_BSP_MAX_QUEUE_SIZE must be an integer from 1 to 1000000, got '0'",
        ].join('\n'),
      );
      return true;
    },
  );
});

test('an env var protocol of grpc is refused, and a bad endpoint variable is caught before any export', () => {
  assert.throws(
    () => resolveConfig(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }),
    {
      name: 'ConfigError',
      message: [
        "OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL such as http://localhost:4318, got 'collector:4318'",
        "OTEL_EXPORTER_OTLP_PROTOCOL must be 'http/protobuf' or 'http/json' (the processor speaks OTLP/HTTP, not grpc), got 'grpc'",
      ].join('\n'),
    },
  );
});

test('a bad header value is reported without echoing the headers, which carry credentials', () => {
  assert.throws(() => resolveConfig({ headers: { authorization: 42 } } as unknown as FlywheelConfig, {}), {
    message: 'register() option headers must be an object of string header values, got an object',
  });
});

test('instrumentations: instances of other OTel instrumentations, and FLYWHEEL_INSTRUMENTATIONS packages; anything else is named', () => {
  const other = new OpenAIInstrumentation();
  const config = resolveConfig({ instrumentations: [other] }, {
    FLYWHEEL_INSTRUMENTATIONS: ' @arizeai/openinference-instrumentation-langchain, @opentelemetry/instrumentation-http#HttpInstrumentation ,',
  });
  assert.deepEqual([config.instrumentations, config.instrumentationPackages], [
    [other],
    ['@arizeai/openinference-instrumentation-langchain', '@opentelemetry/instrumentation-http#HttpInstrumentation'],
  ]);
  assert.throws(() => resolveConfig({ instrumentations: [{ name: 'not one' }] } as unknown as FlywheelConfig, { FLYWHEEL_INSTRUMENTATIONS: 'ok-pkg,../evil.js' }), {
    name: 'ConfigError',
    message: [
      'register() option instrumentations must be an array of OpenTelemetry instrumentations (instances of an InstrumentationBase subclass), got an array',
      "FLYWHEEL_INSTRUMENTATIONS must be a comma-separated list of npm package names (each optionally #ExportName), got '../evil.js'",
    ].join('\n'),
  });
});
