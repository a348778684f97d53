// The public face of redact/: the redactor, record-level redaction, custom patterns.
export { BUILTIN_TYPES, type RedactMode } from './detectors.ts';
export { addCounts, createRedactor, type CustomPattern, type RedactionCounts, type Redactor } from './redactor.ts';
export { redactLogs, redactMetricPoints, redactSpans } from './records.ts';
export { parseRedactPatterns, RedactPatternsError } from './patterns-file.ts';
