// The real OpenTelemetry Node SDK, exporting to memory: what the tests assert on. One per test
// process (node:test runs each file in its own process); reset() between tests.
import { InMemoryLogRecordExporter, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

export interface Telemetry {
  spans(): ReadableSpan[];
  logs(): ReadableLogRecord[];
  /** The one finished span with this name; fails the test when there is not exactly one. */
  span(name: string): ReadableSpan;
  reset(): void;
  shutdown(): Promise<void>;
}

export function startTelemetry(): Telemetry {
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  const sdk = new NodeSDK({
    serviceName: 'instrumentation-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
    metricReaders: [],
    resourceDetectors: [],
  });
  sdk.start();
  return {
    spans: () => spanExporter.getFinishedSpans(),
    logs: () => logExporter.getFinishedLogRecords(),
    span(name) {
      const found = spanExporter.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) {
        const names = spanExporter.getFinishedSpans().map((s) => s.name);
        throw new Error(`expected one span '${name}', found ${found.length} among [${names.join(', ')}]`);
      }
      return found[0]!;
    },
    reset() {
      spanExporter.reset();
      logExporter.reset();
    },
    shutdown: () => sdk.shutdown(),
  };
}
