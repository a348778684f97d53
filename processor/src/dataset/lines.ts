// A dataset as NDJSON lines, produced lazily: the store's batches converted one row at a time,
// so whoever consumes the lines (an HTTP response, a file) sets the pace and memory stays flat.
import type pg from 'pg';
import { corrections, eligibleInteractions } from '../store/dataset/examples.ts';
import { splitOf, toChatExample, toPreferenceExample } from './convert.ts';
import type { DatasetFormat, DatasetRequest } from './request.ts';

/** Rows read from Postgres per query. */
export const DATASET_BATCH_SIZE = 500;

/** The lines of one dataset, each a JSON document and a newline. Rows without captured content are left out. */
export async function* datasetLines(pool: pg.Pool, projectId: number, format: DatasetFormat, request: DatasetRequest): AsyncGenerator<string> {
  const inSplit = (id: string) => request.split === undefined || splitOf(id, request.validationFraction) === request.split;
  const filter = { agent: request.agent, since: request.since, until: request.until, minQuality: request.minQuality };
  if (format === 'openai-chat') {
    for await (const row of eligibleInteractions(pool, projectId, filter, DATASET_BATCH_SIZE)) {
      if (!inSplit(row.id)) continue;
      const example = toChatExample(row);
      if (example !== null) yield `${JSON.stringify(example)}\n`;
    }
    return;
  }
  for await (const row of corrections(pool, projectId, { ...filter, minQuality: undefined }, DATASET_BATCH_SIZE)) {
    if (!inSplit(row.id)) continue;
    const example = toPreferenceExample(row, row.correction);
    if (example !== null) yield `${JSON.stringify(example)}\n`;
  }
}
