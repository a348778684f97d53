// register(): starts the OpenTelemetry Node SDK (@opentelemetry/sdk-node) with the OTLP/HTTP
// exporters for traces and logs (feedback travels as log records), bounded batch queues, and
// the openai instrumentation, plus the other instrumentations given (or named in
// FLYWHEEL_INSTRUMENTATIONS, other-instrumentations.ts). Configuration is validated once, here (config.ts).
import { diag } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { setCaptureContent } from './capture.ts';
import { type ResolvedConfig, resolveConfig } from './config.ts';
import { ExportDrops } from './export-drops.ts';
import { installImportHook } from './import-hook.ts';
import { OpenAIInstrumentation } from './instrumentation.ts';
import { loadInstrumentations } from './other-instrumentations.ts';
import type { FlywheelConfig, FlywheelHandle } from './types.ts';

let registered: FlywheelHandle | undefined;

/**
 * Starts tracing the agent: OTLP export of spans and feedback to the processor (or any OTLP/HTTP
 * receiver) and the openai instrumentation. Call it before the app loads `openai` (from ESM:
 * import the app with a dynamic `import()` after it, as static imports are evaluated first). Throws a
 * ConfigError, naming the option or env var, when the configuration is invalid; a second call
 * keeps the first configuration and returns the same handle.
 */
export function register(options?: FlywheelConfig): FlywheelHandle {
  if (registered !== undefined) {
    diag.warn('@agent-flywheel/instrumentation: register() was already called; keeping the first configuration');
    return registered;
  }
  const config = resolveConfig(options);
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    // Disabled by the standard switch: no hook, no patch, nothing on the call path.
    registered = {
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
      dropped: () => Promise.resolve({ spans: 0, logs: 0 }),
      ready: () => Promise.resolve([]),
    };
    return registered;
  }
  setCaptureContent(config.captureContent);
  installImportHook();
  const drops = new ExportDrops();
  const spanProcessor = new BatchSpanProcessor({
    exporter: traceExporter(config),
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: Math.min(512, config.maxQueueSize),
    selfObsMeterProvider: drops.meterProvider,
  });
  const logProcessor = new BatchLogRecordProcessor({
    exporter: logExporter(config),
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: Math.min(512, config.maxQueueSize),
    selfObsMeterProvider: drops.meterProvider,
  });
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    spanProcessors: [spanProcessor],
    logRecordProcessors: [logProcessor],
    // No metrics of our own; the SDK's metric export only when the app asks for it.
    metricReaders: process.env.OTEL_METRICS_EXPORTER ? undefined : [],
    // Given instrumentations are enabled on the SDK's providers, as ours is.
    instrumentations: [new OpenAIInstrumentation(), ...config.instrumentations],
  });
  sdk.start();
  const loaded = loadInstrumentations(config.instrumentationPackages);

  let stopped: Promise<void> | undefined;
  registered = {
    // Settled, not all(): one signal's failed export must not cut the other's flush short.
    // The processors' shutdown() is idempotent; the SDK's calls them too.
    shutdown: () =>
      (stopped ??= Promise.allSettled([sdk.shutdown(), spanProcessor.shutdown(), logProcessor.shutdown()]).then(
        (outcomes) => {
          const failure = outcomes.find((o) => o.status === 'rejected');
          if (failure) diag.warn('@agent-flywheel/instrumentation: final export failed', failure.reason);
        },
      )),
    forceFlush: () =>
      Promise.allSettled([spanProcessor.forceFlush(), logProcessor.forceFlush()]).then((outcomes) => {
        const failure = outcomes.find((o) => o.status === 'rejected');
        if (failure) diag.warn('@agent-flywheel/instrumentation: export failed', failure.reason);
      }),
    // Still answers after shutdown(): the counts of the final flush are the interesting ones.
    dropped: () =>
      drops.count().catch((err: unknown) => {
        diag.error('@agent-flywheel/instrumentation: drop counts unavailable', err);
        return { spans: 0, logs: 0 };
      }),
    ready: () => loaded,
  };
  return registered;
}

function exporterOptions(config: ResolvedConfig, path: string): { url?: string; headers?: Record<string, string> } {
  const options: { url?: string; headers?: Record<string, string> } = {};
  if (config.endpoint !== undefined) options.url = `${config.endpoint.replace(/\/+$/, '')}${path}`;
  if (config.headers !== undefined) options.headers = config.headers;
  return options;
}

function traceExporter(config: ResolvedConfig): OTLPTraceExporterJson | OTLPTraceExporterProto {
  const options = exporterOptions(config, '/v1/traces');
  return config.protocol === 'http/json' ? new OTLPTraceExporterJson(options) : new OTLPTraceExporterProto(options);
}

function logExporter(config: ResolvedConfig): OTLPLogExporterJson | OTLPLogExporterProto {
  const options = exporterOptions(config, '/v1/logs');
  return config.protocol === 'http/json' ? new OTLPLogExporterJson(options) : new OTLPLogExporterProto(options);
}
