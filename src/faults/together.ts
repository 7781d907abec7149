import type { Fault, Injection } from './fault.js';

/**
 * Several faults as one (the postmortem's night: two copies of the control
 * plane *and* a second CNI): injected in order, in effect when every one is,
 * reverted the last first.
 */
export function together(name: string, ...faults: Fault[]): Fault {
  if (faults.length < 2) throw new TypeError(`together("${name}"): needs two or more faults`);
  return {
    name,
    needs: [...new Set(faults.flatMap((f) => [...f.needs]))],
    describe: () => faults.map((f) => f.describe()).join('; and '),
    async inject(ctx): Promise<Injection> {
      const done: Injection[] = [];
      for (const f of faults) {
        const inj = await f.inject(ctx);
        done.push(inj);
        if (!inj.inEffect) break;
      }
      return {
        injectedAt: done[0]!.injectedAt,
        inEffect: done.length === faults.length && done.every((i) => i.inEffect),
        verifiedAt: done.every((i) => i.verifiedAt !== undefined) ? Math.max(...done.map((i) => i.verifiedAt!)) : undefined,
        evidence: done.map((i) => i.evidence).join('; '),
        subjects: [...new Set(done.flatMap((i) => i.subjects))],
        measurements: Object.assign({}, ...done.map((i) => i.measurements)),
        async revert() {
          for (const i of [...done].reverse()) await i.revert();
        },
      };
    },
  };
}
