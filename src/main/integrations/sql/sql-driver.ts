// What the sql source needs from a database driver: run the one query with the identifier
// bound, stop it when the signal fires, and report reachability.
export type SqlRow = Record<string, unknown>;

export interface SqlDriver {
  /** Runs the compiled query with the identifier bound; aborting cancels the work in the database. */
  query(id: string, signal: AbortSignal): Promise<SqlRow[]>;
  ping(signal: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}
