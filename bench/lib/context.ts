// What every benchmark gets from the runner.
import type { CliRunner } from '../../test/helpers/processes.js';

export interface BenchContext {
  /** Shorter runs (seconds instead of minutes) for a quick look; the numbers are noisier. */
  quick: boolean;
  /** How the connector and hub run: the esbuild bundle (`dist`, as shipped) or the sources through tsx. */
  runner: CliRunner;
  /** Closed-loop lookup overhead against the real sources too (only when `--only overhead` asks). */
  closedLoopSources?: boolean;
  log(line: string): void;
  /** Something the reader of the results must know (a skipped part, failed calls, a missed target). */
  note(line: string): void;
}
