// Counting what never reached the receiver. The SDK's batch processors already count every span
// and log record they finish, with `error.type` on the ones lost (`queue_full`, or the export
// error); they report to a MeterProvider, so one is given to them here and read on demand.
// Nothing is exported from it: the counts serve register()'s dropped().
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

// Self-observability metric names of @opentelemetry/sdk-trace and sdk-logs (semconv otel.sdk.*).
const SPANS_PROCESSED = 'otel.sdk.processor.span.processed';
const LOGS_PROCESSED = 'otel.sdk.processor.log.processed';

/** A reader that only answers when asked. */
class OnDemandReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export class ExportDrops {
  readonly #reader = new OnDemandReader();
  /** Give this to the batch processors as `selfObsMeterProvider`. */
  readonly meterProvider = new MeterProvider({ readers: [this.#reader] });

  async count(): Promise<{ spans: number; logs: number }> {
    const counts = { spans: 0, logs: 0 };
    const { resourceMetrics } = await this.#reader.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const signal =
          metric.descriptor.name === SPANS_PROCESSED ? 'spans' : metric.descriptor.name === LOGS_PROCESSED ? 'logs' : undefined;
        if (signal === undefined) continue;
        for (const point of metric.dataPoints) {
          if (point.attributes['error.type'] !== undefined) counts[signal] += point.value as number;
        }
      }
    }
    return counts;
  }
}
