import { expect } from 'chai';
import { initialIops, nextIops, type CalibrationStep } from '../../src/faults/calibration.js';

const opts = { tolerance: 0.25, aim: 0.2, maxSteps: 8 };
const step = (iops: number, meanMs: number | undefined): CalibrationStep => ({ iops, meanMs, samples: 5 });

describe('throttle calibration (closed loop)', () => {
  it('starts from the measured I/Os per fsync of these hosts', () => {
    expect(initialIops(100)).to.equal(60);
    expect(initialIops(800)).to.equal(8);
    expect(nextIops([], 800, opts)).to.deep.equal({ done: false, iops: 8 });
  });
  it('stops when the measurement is close enough', () => {
    expect(nextIops([step(8, 850)], 800, opts)).to.deep.equal({ done: true, iops: 8, reached: true });
  });
  it('corrects proportionally (latency ~ 1/iops)', () => {
    expect(nextIops([step(60, 200)], 100, opts)).to.deep.equal({ done: false, iops: 120 });
    expect(nextIops([step(8, 400)], 800, opts)).to.deep.equal({ done: false, iops: 4 });
  });
  it('tries values between a too-slow and a too-fast limit before giving up', () => {
    expect(nextIops([step(8, 531), step(5, 1210)], 800, opts)).to.deep.equal({ done: false, iops: 7 });
    const d = nextIops([step(8, 531), step(5, 1210), step(7, 1300), step(6, 1400)], 800, opts);
    expect(d).to.deep.equal({ done: true, iops: 8, reached: false });
  });
  it('gives up, not reached, when the throttle has no effect (wrong device)', () => {
    const h = [step(8, 1), step(1, 1)];
    expect(nextIops(h, 800, opts)).to.include({ done: true, reached: false });
    expect(nextIops([step(8, undefined)], 800, opts)).to.include({ done: true, reached: false });
  });
});
