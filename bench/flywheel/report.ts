// The simulation's results put into words and pictures: a table per week, the comparison of the
// two runs with their ratio, and an SVG chart of accuracy and satisfaction per week.
import type { Simulation } from './simulate.ts';
import type { RunResult, WeekMetrics } from './run.ts';

const pad = (text: string, width: number) => text.padStart(width);

/** A table of the weeks, both runs side by side. */
export function weekTable(sim: Simulation): string {
  const head = `${pad('week', 4)} | ${pad('accuracy off/on', 15)} | ${pad('satisfaction off/on', 19)} | ${pad('superseded off/on', 17)} | ${pad('resp. ms off/on', 15)} | ${pad('turns on', 8)}`;
  const rows = sim.on.weeks.map((on, i) => {
    const off = sim.off.weeks[i] as WeekMetrics;
    return `${pad(String(on.week), 4)} | ${pad(`${off.accuracy.toFixed(2)} / ${on.accuracy.toFixed(2)}`, 15)} | ${pad(`${off.satisfaction.toFixed(2)} / ${on.satisfaction.toFixed(2)}`, 19)} | ${pad(`${off.superseded.toFixed(2)} / ${on.superseded.toFixed(2)}`, 17)} | ${pad(`${Math.round(off.responseMs)} / ${Math.round(on.responseMs)}`, 15)} | ${pad(String(on.turns), 8)}`;
  });
  return [head, '-'.repeat(head.length), ...rows].join('\n');
}

function meanDays(run: RunResult): { mean: number | null; never: number } {
  const known = run.daysToCorrect.filter((d) => d.days !== null).map((d) => d.days as number);
  return { mean: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length, never: run.daysToCorrect.length - known.length };
}

/** The final comparison: each metric at the last week without and with the loop, and their ratio. */
export function comparison(sim: Simulation): string {
  const off = sim.off.weeks.at(-1) as WeekMetrics;
  const on = sim.on.weeks.at(-1) as WeekMetrics;
  const ratio = (a: number, b: number) => (a === 0 ? 'n/a' : `${(b / a).toFixed(2)}x`);
  const dOff = meanDays(sim.off);
  const dOn = meanDays(sim.on);
  const days = (d: { mean: number | null; never: number }) => `${d.mean === null ? '-' : d.mean.toFixed(1)} (never: ${d.never})`;
  const lines = [
    `metric at week ${on.week}                 loop off   loop on    on/off`,
    `accuracy (held-out)              ${pad(off.accuracy.toFixed(2), 8)}   ${pad(on.accuracy.toFixed(2), 7)}   ${ratio(off.accuracy, on.accuracy)}`,
    `satisfaction (1-5)               ${pad(off.satisfaction.toFixed(2), 8)}   ${pad(on.satisfaction.toFixed(2), 7)}   ${ratio(off.satisfaction, on.satisfaction)}`,
    `answers with superseded facts    ${pad(off.superseded.toFixed(2), 8)}   ${pad(on.superseded.toFixed(2), 7)}   ${ratio(off.superseded, on.superseded)}`,
    `response time, simulated ms      ${pad(off.responseMs.toFixed(0), 8)}   ${pad(on.responseMs.toFixed(0), 7)}   ${ratio(off.responseMs, on.responseMs)}`,
    `user-traffic accuracy            ${pad(off.trafficAccuracy.toFixed(2), 8)}   ${pad(on.trafficAccuracy.toFixed(2), 7)}   ${ratio(off.trafficAccuracy, on.trafficAccuracy)}`,
    `days from a fact's change to the first correct answer: off ${days(dOff)}, on ${days(dOn)} over ${sim.on.daysToCorrect.length} changes`,
    `  with the loop, per change (fact, week: days): ${sim.on.daysToCorrect.map((d) => `${d.factId} ${d.week}: ${d.days ?? 'never'}`).join(', ')}`,
    `planted failure modes among mining's failure patterns: recall ${sim.planted.recall.toFixed(2)} (found ${sim.planted.found.join(', ') || 'none'}; missed ${sim.planted.missed.join(', ') || 'none'}), precision ${sim.planted.precision.toFixed(2)} of ${sim.planted.patterns.length} patterns (${sim.planted.explained.toFixed(2)} explained by a planted mode or by the world's own changes)`,
    `planted rates in the traffic: ${Object.entries(sim.planted.rates).map(([m, r]) => `${m} ${(r * 100).toFixed(1)}%`).join(', ')}`,
  ];
  return lines.join('\n');
}

/** The learning curve: accuracy per week of both runs as bars. */
export function learningCurve(sim: Simulation): string {
  const bar = (x: number) => '#'.repeat(Math.round(x * 40)).padEnd(40);
  return sim.on.weeks.map((on, i) => `w${String(on.week).padStart(2)} off ${bar((sim.off.weeks[i] as WeekMetrics).accuracy)} ${(sim.off.weeks[i] as WeekMetrics).accuracy.toFixed(2)}\n    on  ${bar(on.accuracy)} ${on.accuracy.toFixed(2)}`).join('\n');
}

/** An SVG chart: accuracy (0-1) and satisfaction (1-5) per week, loop off dashed, loop on solid. */
export function chartSvg(sim: Simulation): string {
  const width = 760;
  const height = 360;
  const left = 60;
  const right = 200;
  const top = 40;
  const bottom = 50;
  const weeks = sim.on.weeks.length;
  const x = (i: number) => left + (weeks <= 1 ? 0 : (i * (width - left - right)) / (weeks - 1));
  const yAcc = (v: number) => top + (1 - v) * (height - top - bottom);
  const ySat = (v: number) => yAcc((v - 1) / 4);
  const line = (values: number[], y: (v: number) => number, colour: string, dashed: boolean) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ''} points="${values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((v) => `<line x1="${left}" x2="${width - right}" y1="${yAcc(v)}" y2="${yAcc(v)}" stroke="#ddd"/><text x="${left - 8}" y="${yAcc(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text><text x="${width - right + 8}" y="${yAcc(v) + 4}" font-size="11" fill="#777">${(1 + v * 4).toFixed(0)}</text>`);
  const ticks = sim.on.weeks.map((w, i) => `<text x="${x(i)}" y="${height - bottom + 18}" text-anchor="middle" font-size="11">${w.week}</text>`);
  const legend = [
    ['accuracy, loop on', '#1f77b4', false], ['accuracy, loop off', '#1f77b4', true], ['satisfaction, loop on', '#d62728', false], ['satisfaction, loop off', '#d62728', true],
  ].map(([label, colour, dashed], i) => `<line x1="${width - right + 30}" x2="${width - right + 55}" y1="${top + 10 + i * 20}" y2="${top + 10 + i * 20}" stroke="${String(colour)}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${width - right + 60}" y="${top + 14 + i * 20}" font-size="11">${String(label)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Held-out accuracy and satisfaction per simulated week (seed ${sim.settings.seed})</text>`,
    `<text x="${left - 8}" y="${top - 10}" text-anchor="end" font-size="11">accuracy</text>`,
    `<text x="${width - right + 8}" y="${top - 10}" font-size="11" fill="#777">satisfaction</text>`,
    ...grid,
    ...ticks,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle" font-size="12">simulated week</text>`,
    line(sim.off.weeks.map((w) => w.accuracy), yAcc, '#1f77b4', true),
    line(sim.on.weeks.map((w) => w.accuracy), yAcc, '#1f77b4', false),
    line(sim.off.weeks.map((w) => w.satisfaction), ySat, '#d62728', true),
    line(sim.on.weeks.map((w) => w.satisfaction), ySat, '#d62728', false),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

/** User-traffic accuracy of the last week per fact (or order status), both runs: where the loop helps and where it does not. */
export function breakdown(sim: Simulation): string {
  const week = sim.on.weeks.length - 1;
  const tally = (run: RunResult) => {
    const by = new Map<string, { n: number; correct: number }>();
    for (const t of run.turns.filter((x) => x.week === week)) {
      const key = t.question.factId ?? 'order status';
      const entry = by.get(key) ?? { n: 0, correct: 0 };
      entry.n++;
      if (t.verdict === 'correct') entry.correct++;
      by.set(key, entry);
    }
    return by;
  };
  const off = tally(sim.off);
  const on = tally(sim.on);
  const keys = [...new Set([...off.keys(), ...on.keys()])].sort();
  const cell = (e: { n: number; correct: number } | undefined) => (e === undefined ? '-' : `${(e.correct / e.n).toFixed(2)} of ${e.n}`);
  return [`user traffic of week ${week + 1}, share of correct answers per question:`, ...keys.map((k) => `  ${k.padEnd(14)} off ${cell(off.get(k)).padEnd(12)} on ${cell(on.get(k))}`)].join('\n');
}
