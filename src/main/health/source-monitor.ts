// Pings the configured patient lookup source and document store on a timer and records the result
// on the connector, which tells the platform (`connector.health`) and flips `/ready`. The headless
// connector has no other probe; the app's controller runs its own, which agrees with this one.
import type { Connector } from '../core/connector.js';
import type { ConsentStore, PatientLookupSource } from '../integrations/types.js';

export const SOURCE_CHECK_MS = 30_000;
const PING_TIMEOUT_MS = 5_000;

export interface SourceMonitorOptions {
  connector: Connector;
  source?: PatientLookupSource;
  store?: ConsentStore;
  intervalMs?: number;
}

export function startSourceMonitor(options: SourceMonitorOptions): { stop(): void; check(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | null = null;
  const ping = async (target: PatientLookupSource | ConsentStore | undefined) => {
    if (!target) return 'unconfigured' as const;
    try {
      return (await target.ping({ signal: AbortSignal.timeout(PING_TIMEOUT_MS) }))
        ? ('up' as const)
        : ('down' as const);
    } catch {
      return 'down' as const;
    }
  };
  const check = () => {
    running ??= (async () => {
      const [lookup, store] = await Promise.all([ping(options.source), ping(options.store)]);
      if (stopped) return;
      options.connector.setSourceState('patient.lookup', lookup);
      options.connector.setSourceState('consent.store', store);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? SOURCE_CHECK_MS);
  timer.unref();
  void check();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
