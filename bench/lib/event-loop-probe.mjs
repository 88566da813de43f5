// Loaded into a connector process by the open-loop benchmark (`node --import <this file's URL>?out=
// <file> …`): measures the process's event-loop delay with monitorEventLoopDelay. On SIGUSR2 it
// reads one command from <file>.cmd — `on` (record), `off` (pause), `reset`, or `report` (write
// the percentiles recorded so far to <file>) — so that only the stretches with load count. No
// code of the connector knows about it; without `out` it does nothing.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = new URL(import.meta.url).searchParams.get('out');
if (file) {
  // 1 ms: the delay is sampled by a timer at this interval, so the percentiles are in steps of it.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let sequence = 0;
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    const command = readFileSync(`${file}.cmd`, 'utf8').trim();
    if (command === 'on') histogram.enable();
    else if (command === 'off') histogram.disable();
    else if (command === 'reset') histogram.reset();
    const report = {
      sequence: ++sequence,
      command,
      count: histogram.count,
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      p999Ms: ms(histogram.percentile(99.9)),
      maxMs: ms(histogram.max),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(report));
    renameSync(`${file}.tmp`, file);
  });
}
