/**
 * A timestamped fact seen by a watcher: a metric value, a log line, a docker
 * event, a put's latency. Expectations are pure functions of these.
 */
export interface Observation {
  /** What was observed, e.g. "etcd.wal_fsync_p99" or "docker.event". */
  signal: string;
  /** Who it is about: a member name, a container, "cluster". */
  subject: string;
  /**
   * Epoch ms when it happened, by the source's own clock where it has one (a
   * log line's timestamp, an Event's, a process start time, a condition's
   * lastTransitionTime); for polled sources, when it was seen.
   */
  at: number;
  /** Epoch ms when kdrill saw it (set by the log on emit): `seen − at` is kdrill's own delay. */
  seen?: number;
  /** The key of the watcher that saw it (set by the runner): the run record says how that watcher learns. */
  source?: string;
  value?: number;
  text?: string;
}

/** What a watcher writes to. */
export interface ObservationSink {
  emit(o: Observation): void;
}

/** Append-only, time-ordered store of a run's observations, with live subscribers. */
export class ObservationLog {
  private readonly items: Observation[] = [];
  private readonly listeners = new Set<(o: Observation) => void>();

  emit(o: Observation): void {
    o.seen ??= Date.now();
    // Sources may report a slightly earlier timestamp (e.g. a log line's own ts): keep order.
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.at > o.at) i--;
    this.items.splice(i, 0, o);
    for (const l of this.listeners) l(o);
  }

  all(): readonly Observation[] {
    return this.items;
  }

  /** Where one watcher puts what it sees: its observations stamped with its key. */
  from(source: string): ObservationSink {
    return { emit: (o) => this.emit({ ...o, source: o.source ?? source }) };
  }

  subscribe(fn: (o: Observation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first observation (already logged at or after `since`, or future) that satisfies `pred`. */
  waitFor(pred: (o: Observation) => boolean, opts: { since?: number; timeoutMs: number; signal?: AbortSignal }): Promise<Observation | undefined> {
    const since = opts.since ?? 0;
    const hit = this.items.find((o) => o.at >= since && pred(o));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const done = (o: Observation | undefined): void => {
        clearTimeout(timer);
        unsub();
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), opts.timeoutMs);
      const unsub = this.subscribe((o) => {
        if (o.at >= since && pred(o)) done(o);
      });
      opts.signal?.addEventListener('abort', onAbort);
    });
  }
}
