/**
 * `npm run bench`: every benchmark prints its baseline and ours, measured in the same run.
 * Pass names to run a subset: `npm run bench -- typeahead memory`.
 */
const all = [
  'typeahead',
  'memory',
  'run-throughput',
  'graph-run',
  'store',
  'store-latency',
  'startup',
  'prediction',
  'preview',
  'replica-pace',
  'replica-ack',
] as const;

interface Benchmark {
  run(): Promise<void>;
}

const chosen = process.argv.slice(2);
const names = chosen.length > 0 ? all.filter((name) => chosen.includes(name)) : all;

for (const name of names) {
  console.log(`\n== ${name} ==`);
  const benchmark = (await import(`./${name}.js`)) as Benchmark;
  await benchmark.run();
}
