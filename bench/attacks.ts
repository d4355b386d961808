/**
 * `npm run bench:attacks`: does each attack bite? For every registered attack
 * (its default parameters) and no attack at all, the final test accuracy of a
 * short MNIST logistic-regression run against `mean`, `cwtm` and `krum`:
 * n = 12 workers of which f = 2 Byzantine (MixTailor's setting), iid split,
 * omniscient adversary that knows the rule, 100 rounds (30 with --quick), on
 * an iid split or, with --partition extreme, MNIST sorted by label (the
 * resampling paper's heterogeneous setting; the data is split among all 12
 * workers — data.byzantine: shards — so the two Byzantine ones hold digits too).
 * Prints a Markdown table. Usage: npm run bench:attacks [-- --quick] [-- --partition extreme]
 */
import { attacks } from '../src/attacks/index.ts';
import { ScenarioSchema } from '../src/scenario/schema.ts';
import { runScenario } from '../src/run/run.ts';
import { selectBackend } from '../src/learning/backend.ts';

const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--partition');
const partition = at >= 0 ? process.argv[at + 1] : 'iid';
const rules = ['mean', 'cwtm', 'krum'];
const backend = (await selectBackend('auto')).name;

function scenario(aggregator: string, attack: string) {
  return ScenarioSchema.parse({
    name: 'bench-attacks',
    seed: 1,
    rounds: quick ? 30 : 100,
    workers: 12,
    byzantine: { f: attack === 'none' ? 0 : 2, schedule: 'static' },
    // Shards for the Byzantine workers too (data.byzantine: shards): bitflip and labelflip compute on their own.
    data: { dataset: 'mnist', partition, batchSize: 32, byzantine: 'shards', mnist: { trainSize: 12000, testSize: 2000 } },
    optimizer: { lr: 0.5, momentum: 0.9 },
    aggregator,
    attack,
    adversary: { knowledge: 'omniscient', knows: 'rule' },
    eval: { every: quick ? 30 : 100 },
  });
}

const rows: string[] = [];
for (const attack of ['none', ...attacks.names()]) {
  const cells: string[] = [];
  for (const rule of rules) {
    const { final } = await runScenario(scenario(rule, attack), { backend });
    cells.push(final.accuracy.toFixed(3));
  }
  rows.push(`| \`${attack}\` | ${cells.join(' | ')} |`);
  console.error(`${attack}: ${cells.join(', ')}`);
}
console.log(`MNIST logreg, n = 12, f = 2, ${partition}, ${quick ? 30 : 100} rounds, backend ${backend}: final test accuracy\n`);
console.log(`| attack | ${rules.map((r) => `\`${r}\``).join(' | ')} |\n|---|${rules.map(() => '---:').join('|')}|`);
console.log(rows.join('\n'));
