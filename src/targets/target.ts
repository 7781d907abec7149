import type { Journal } from '../journal.js';

/** What a provider gets to build a target: the run's journal (every creation is journaled first) and a logger. */
export interface ProvisionContext {
  runId: string;
  journal: Journal;
  log: (msg: string) => void;
  abort: AbortSignal;
}

/** A provisioned system under drill: handles for faults, signals and probes, and how to let it go. */
export interface Target {
  kind: string;
  describe(): string;
  /** Releases what the provider made (containers are journaled, so this is idempotent with `kdrill clean`). */
  teardown(): Promise<void>;
}

/**
 * How a scenario gets its target. The runner knows nothing else about it:
 * etcd in testcontainers is one provider, a kind cluster another, an existing
 * cluster a third.
 */
export interface TargetProvider<T extends Target = Target> {
  name: string;
  provision(ctx: ProvisionContext): Promise<T>;
}

/** A provider for a target someone else owns: nothing is created, teardown leaves it running. */
export function existing<T extends Target>(target: T): TargetProvider<T> {
  return {
    name: `existing ${target.kind}`,
    provision: async () => ({ ...target, teardown: async () => undefined }) as T,
  };
}
