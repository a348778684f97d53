import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config/config.ts';

test('the score settings default to the README\'s thresholds, a 30 s settle delay and no judge', () => {
  const c = loadConfig({});
  assert.deepEqual(
    {
      scoreSettleMs: c.scoreSettleMs, scorePollMs: c.scorePollMs, scoreBatchSize: c.scoreBatchSize, scoreWorkers: c.scoreWorkers,
      retryWindowMs: c.retryWindowMs, abandonMs: c.abandonMs, freshnessHalfLifeDays: c.freshnessHalfLifeDays,
      gateAccuracy: c.gateAccuracy, gateCompleteness: c.gateCompleteness, gateRelevance: c.gateRelevance, gateTimeliness: c.gateTimeliness,
      judgeBaseUrl: c.judgeBaseUrl, judgeApiKey: c.judgeApiKey, judgeModel: c.judgeModel, judgeConcurrency: c.judgeConcurrency,
      judgeTimeoutMs: c.judgeTimeoutMs, judgeMaxRetries: c.judgeMaxRetries, judgeParentWaitMs: c.judgeParentWaitMs, judgeInputUsdPerMTok: c.judgeInputUsdPerMTok,
      judgeOutputUsdPerMTok: c.judgeOutputUsdPerMTok,
    },
    {
      scoreSettleMs: 30_000, scorePollMs: 1_000, scoreBatchSize: 500, scoreWorkers: 2,
      retryWindowMs: 300_000, abandonMs: 1_800_000, freshnessHalfLifeDays: 90,
      gateAccuracy: 0.85, gateCompleteness: 0.9, gateRelevance: 0.8, gateTimeliness: 0.75,
      judgeBaseUrl: undefined, judgeApiKey: undefined, judgeModel: 'gpt-4o-mini', judgeConcurrency: 2,
      judgeTimeoutMs: 30_000, judgeMaxRetries: 2, judgeParentWaitMs: 300_000, judgeInputUsdPerMTok: 0, judgeOutputUsdPerMTok: 0,
    },
  );
});

test('thresholds and the judge are read from their env vars', () => {
  const c = loadConfig({ FLYWHEEL_GATE_ACCURACY: '0.7', FLYWHEEL_JUDGE_BASE_URL: 'http://127.0.0.1:8000/v1', FLYWHEEL_JUDGE_MODEL: 'llama3' });
  assert.deepEqual([c.gateAccuracy, c.judgeBaseUrl, c.judgeModel], [0.7, 'http://127.0.0.1:8000/v1', 'llama3']);
});

test('a bad score setting names its env var and the expected form', () => {
  assert.throws(() => loadConfig({ FLYWHEEL_GATE_RELEVANCE: '1.5' }), { message: "FLYWHEEL_GATE_RELEVANCE must be a number from 0 to 1, got '1.5'" });
  assert.throws(() => loadConfig({ FLYWHEEL_JUDGE_BASE_URL: 'localhost:8000' }), {
    message: "FLYWHEEL_JUDGE_BASE_URL must be an http:// or https:// URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1), got 'localhost:8000'",
  });
  assert.throws(() => loadConfig({}, { 'score-settle-ms': '-1' }), { message: "--score-settle-ms must be an integer from 0 to 86400000 (milliseconds), got '-1'" });
});
