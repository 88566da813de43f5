// `patientLookup: {"type":"demo"}`: the embedded default source, with optional simulated latency.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { demoLookupConfigSchema } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import type { CallOptions, PatientLookupSource, SourcePatient } from '../types.js';
import { demoDirectory } from './demo-directory.js';

export class DemoSource implements PatientLookupSource {
  readonly type = 'demo';
  private readonly directory;

  constructor(private readonly config: z.infer<typeof demoLookupConfigSchema>) {
    this.directory = demoDirectory(config.size ?? 10_000);
  }

  async lookup(identifier: string, options: CallOptions): Promise<SourcePatient[]> {
    if (this.config.latencyMs) {
      // Read only when needed: the dispatcher creates a call's AbortSignal on first use.
      const { signal } = options;
      try {
        await sleep(this.config.latencyMs, undefined, { signal });
      } catch {
        throw signal.reason instanceof RpcError ? signal.reason : new RpcError('cancelled');
      }
    }
    return this.directory.find(identifier);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
