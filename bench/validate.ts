/**
 * `npm run bench:validate`: how `validate`'s checks scale on hostile files — overlapping
 * byzantine.script entries and unknown keys — at two sizes ten times apart, in the same
 * process; a linear check shows a ratio near 10, a quadratic one near 100. (The unit tests
 * check what these files report; how long they take is measured here.)
 */
import { parseScenarioText } from '../src/scenario/load.ts';

const script = (entries: number) =>
  ['workers: 7', 'byzantine:', '  f: 3', '  schedule: scripted', '  script:', ...Array.from({ length: entries }, (_, i) => `    - { rounds: "1-${i + 2}", workers: [0] }`)].join('\n') + '\n';
const keys = (count: number) => Array.from({ length: count }, (_, i) => `key${i}: ${i}`).join('\n') + '\n';

function time(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    try {
      parseScenarioText(text, 'bench.yaml');
    } catch {
      // every file here is invalid: the cost of saying so is what is measured
    }
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

console.log('| hostile file | small | ms | large | ms | ratio (inputs ×10) |\n|---|---:|---:|---:|---:|---:|');
for (const [name, make, small] of [
  ['overlapping script entries', script, 1000],
  ['unknown keys', keys, 4000],
] as const) {
  const a = time(make(small));
  const b = time(make(small * 10));
  console.log(`| ${name} | ${small} | ${a.toFixed(0)} | ${small * 10} | ${b.toFixed(0)} | ${(b / a).toFixed(1)}× |`);
}
