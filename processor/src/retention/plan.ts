// Which projects' raw telemetry is due for deletion, and after how many days. Pure.
import type { ProjectRetention } from '../store/telemetry/retention.ts';

export interface RetentionTarget {
  projectId: number;
  days: number;
}

/**
 * A project's own retention_days wins; without one it follows FLYWHEEL_RETENTION_DAYS; with
 * neither its telemetry is kept forever (no target).
 */
export function retentionTargets(projects: readonly ProjectRetention[], globalDays: number | undefined): RetentionTarget[] {
  const targets: RetentionTarget[] = [];
  for (const p of projects) {
    const days = p.retentionDays ?? globalDays;
    if (days !== undefined) targets.push({ projectId: p.projectId, days });
  }
  return targets;
}
