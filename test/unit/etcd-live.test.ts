import { expect } from 'chai';
import { judgeEtcdLives, type MemberLives } from '../../src/probes/etcd-live.js';
import type { Call } from '../../src/probes/outage.js';

// seconds → ms; the fault from 0 s to 375 s, as in a 6 min hold
const s = (x: number) => x * 1000;
const window = { from: 0, to: s(375) };
const ok = (at: number, ms = 10_000): Call => ({ at: s(at), ok: true, ms });
const no = (at: number): Call => ({ at: s(at), ok: false, ms: 15_000 });
const st = (at: number, text: 'start' | 'exit') => ({ at: s(at), text });

describe('judgeEtcdLives', () => {
  // the liveness loop: kills every 90 s, a restarted etcd answers /livez after ~72 s of boot
  const kills = [75, 165, 255, 345];
  const states = kills.flatMap((k) => [st(k, 'exit'), st(k + 1, 'start')]);
  const lived = [ok(60), ok(150), ok(240), ok(330)]; // each life answered within 30 s of its kill

  it('passes when every killed etcd answered in its last 30 s and the last life answered by the end of the run', () => {
    const m: MemberLives = { name: 'cp', calls: [...lived, ok(390, 200)], states };
    const v = judgeEtcdLives([m], window, s(30));
    expect(v).to.include({ ok: true, killed: 4, liveAtKill: 4, unanswered: 0 });
    // start → first 200 answered (asked + 10 s): 160-76, 250-166, 340-256 s; the last at the end-of-run ask
    expect(v.boots).to.deep.equal([s(84), s(84), s(84), s(390) + 200 - s(346)]);
  });

  it('a life started during the fault that never answered, not even at the end of the run, fails', () => {
    const m: MemberLives = { name: 'cp', calls: [...lived, no(380), no(396)], states };
    const v = judgeEtcdLives([m], window, s(30));
    expect(v).to.include({ ok: false, killed: 4, liveAtKill: 4, unanswered: 1 });
  });

  it('a kill of an etcd that had not answered for its last 30 s is NOT live', () => {
    const m: MemberLives = { name: 'cp', calls: [ok(10), no(50), ok(390, 200)], states: [st(75, 'exit'), st(76, 'start')] };
    const v = judgeEtcdLives([m], window, s(30));
    expect(v).to.include({ ok: false, killed: 1, liveAtKill: 0 });
    expect(v.lines[0]).to.contain('NOT live');
  });

  it('an answer from the previous life does not count for the next one', () => {
    // killed at 75 s, restarted at 76 s, killed again at 90 s: the 200 at 60 s belongs to the first life
    const m: MemberLives = { name: 'cp', calls: [ok(60), ok(390, 200)], states: [st(75, 'exit'), st(76, 'start'), st(90, 'exit'), st(91, 'start')] };
    expect(judgeEtcdLives([m], window, s(30)).lines[0]).to.equal('cp: killed 2× (live, NOT live)');
  });

  it('an etcd never killed must answer during the fault', () => {
    expect(judgeEtcdLives([{ name: 'cp', calls: [no(10), ok(390)], states: [] }], window, s(30))).to.include({ ok: false, unanswered: 1 });
    expect(judgeEtcdLives([{ name: 'cp', calls: [ok(10)], states: [] }], window, s(30))).to.include({ ok: true, unanswered: 0 });
  });

  it('without an answer during the fault (200 or not) nothing was judged: inconclusive', () => {
    expect(judgeEtcdLives([{ name: 'cp', calls: [ok(390)], states: [] }], window, s(30))).to.include({ conclusive: false });
    expect(judgeEtcdLives([{ name: 'cp', calls: [no(10)], states: [] }], window, s(30))).to.include({ conclusive: true });
  });
});
