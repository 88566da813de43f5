// Loaded into a connector process by the open-loop benchmark (`node --import <this file's URL>?out=
// <file> …`): measures the process's event-loop delay as monitorEventLoopDelay does — a 1 ms timer
// and how late each tick comes — but records only while told to. On SIGUSR2 it reads one command
// from <file>.cmd — `on` (record), `off` (pause), `reset`, or `report` (write the percentiles
// recorded so far to <file>) — so that only the stretches with load count. (monitorEventLoopDelay
// itself, disabled and enabled again, counts the paused time as one long delay.) No code of the
// connector knows about it; without `out` it does nothing.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHistogram } from 'node:perf_hooks';

const file = new URL(import.meta.url).searchParams.get('out');
if (file) {
  const histogram = createHistogram();
  let recording = false;
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    // Delay beyond the 1 ms asked for, in nanoseconds (as monitorEventLoopDelay reports it).
    if (recording) histogram.record(Math.max(1, Math.round((now - last - 1) * 1e6)));
    last = now;
    setTimeout(tick, 1).unref();
  };
  setTimeout(tick, 1).unref();
  let sequence = 0;
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    const command = readFileSync(`${file}.cmd`, 'utf8').trim();
    if (command === 'on') recording = true;
    else if (command === 'off') recording = false;
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
