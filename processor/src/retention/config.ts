// The retention slice of the configuration: how long raw telemetry is kept by default and how
// often the retention job looks.
import { type ConfigOf, int, ms, type Setting } from '../config/setting.ts';

export const RETENTION_SETTINGS = [
  {
    key: 'retentionDays',
    env: 'FLYWHEEL_RETENTION_DAYS',
    flag: 'retention-days',
    expected: 'an integer from 1 to 36500 (days)',
    description:
      'Days raw spans, log records and metric points are kept after they arrive, for projects without their own (flywheel projects set-retention); unset: forever. Interactions, feedback, scores, patterns and knowledge are kept',
    schema: int(1, 36_500).optional(),
  },
  {
    key: 'retentionIntervalMs',
    env: 'FLYWHEEL_RETENTION_INTERVAL_MS',
    flag: 'retention-interval-ms',
    expected: 'an integer from 100 to 86400000 (milliseconds)',
    description: 'How often the retention job deletes what has expired',
    schema: ms(100, 86_400_000).default(3_600_000),
  },
] as const satisfies readonly Setting[];

export type RetentionConfig = ConfigOf<typeof RETENTION_SETTINGS>;
