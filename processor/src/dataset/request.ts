// What a dataset export asks for: the same options for GET /api/datasets/:format and `flywheel export`.
import { z } from 'zod';

export const DATASET_FORMATS = ['openai-chat', 'preference'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Share of interactions in the validation split unless `validationFraction` says otherwise. */
export const DEFAULT_VALIDATION_FRACTION = 0.1;

export const datasetRequest = z
  .object({
    agent: z.string().min(1, 'agent is required: the agent name or id whose interactions to export'),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    minQuality: z.coerce.number().min(0).max(1).optional(),
    split: z.enum(['train', 'validation']).optional(),
    validationFraction: z.coerce.number().min(0).max(1).default(DEFAULT_VALIDATION_FRACTION),
  })
  .strict();

export type DatasetRequest = z.infer<typeof datasetRequest>;

/** What makes a valid request wrong for its format, or null. */
export function formatProblem(format: DatasetFormat, request: DatasetRequest): string | null {
  if (format === 'preference' && request.minQuality !== undefined) return 'min-quality applies to openai-chat only (a corrected answer is bad by definition)';
  return null;
}
