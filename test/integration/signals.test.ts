import { expect } from 'chai';
import { ObservationLog } from '../../src/signals/observation.js';
import { etcdMetricsSource, SCRAPE_MS } from '../../src/signals/etcd-metrics.js';
import { etcdWatchSource } from '../../src/signals/etcd-watch.js';
import { etcdPutLatencySource } from '../../src/signals/etcd-put-latency.js';
import type { EtcdContainersTarget as EtcdTarget } from '../../src/targets/etcd-containers.js';
import { sharedEtcd, untilHealthy } from './fixtures/shared-etcd.js';

describe('signals on a real etcd', function () {
  let target: EtcdTarget;
  const abort = new AbortController();
  before(async () => {
    target = await sharedEtcd();
    await untilHealthy(target);
  });

  it('/metrics is scraped at ≤ 1 s per member, with has_leader, is_leader and leader-change totals', async () => {
    const log = new ObservationLog();
    const w = await etcdMetricsSource().start({ target, log, abort: abort.signal, journal: undefined as never, runId: 'it-signals' });
    const from = Date.now();
    await log.waitFor(() => false, { timeoutMs: 4000 }); // a 4 s observation window
    await w.stop();
    expect(SCRAPE_MS).to.be.at.most(1000);
    for (const m of target.etcd.members) {
      const at = log.all().filter((o) => o.signal === 'etcd.scrape' && o.subject === m.name && o.value === 1).map((o) => o.at);
      expect(at.length, `${m.name} scrapes`).to.be.at.least(3);
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      expect(Math.max(...gaps), `${m.name} largest gap between scrapes`).to.be.at.most(1000);
      expect(log.all().some((o) => o.signal === 'etcd.has_leader' && o.subject === m.name && o.value === 1)).to.equal(true);
      expect(log.all().some((o) => o.signal === 'etcd.leader_changes' && o.subject === m.name && o.at >= from)).to.equal(true);
    }
    expect(log.all().filter((o) => o.signal === 'etcd.is_leader' && o.value === 1).map((o) => o.subject)).to.have.length.greaterThan(0);
  });

  it('an etcd watch turns every put into a timestamped observation', async () => {
    const log = new ObservationLog();
    const prefix = `/kdrill/it-watch/${Date.now()}/`;
    const w = await etcdWatchSource(prefix).start({ target, log, abort: abort.signal, journal: undefined as never, runId: 'it-signals' });
    const client = target.etcd.client();
    const before = Date.now();
    for (let i = 0; i < 5; i++) await client.put(`${prefix}${i}`).value(String(i));
    const fifth = await log.waitFor((o) => o.signal === 'etcd.watch' && o.subject === `${prefix}4`, { timeoutMs: 10_000 });
    await w.stop();
    client.close();
    expect(fifth, 'watch event for the 5th put').to.not.equal(undefined);
    const events = log.all().filter((o) => o.signal === 'etcd.watch');
    expect(events.map((o) => o.subject)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `${prefix}${i}`));
    expect(events.every((o) => o.at >= before && o.value! > 0)).to.equal(true);
  });

  it('client put latency is observed per member, through a client bound to that member', async () => {
    const log = new ObservationLog();
    const w = await etcdPutLatencySource().start({ target, log, abort: abort.signal, journal: undefined as never, runId: 'it-signals' });
    for (const m of target.etcd.members) {
      const o = await log.waitFor((x) => x.signal === 'etcd.put_latency' && x.subject === m.name && !x.text, { timeoutMs: 10_000 });
      expect(o, `a put through ${m.name}`).to.not.equal(undefined);
      expect(o!.value).to.be.a('number').and.below(1000);
    }
    await w.stop();
  });
});
