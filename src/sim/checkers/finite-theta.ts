/**
 * finite-theta — θ stays finite: every `update` carries the new θ as its
 * payload (never serialized) and each of its coordinates is finite. The
 * server refuses a step that would break this (`step-refused`); this checks
 * that it did.
 */
import { defineChecker } from './types.ts';

export const finiteTheta = defineChecker({
  name: 'finite-theta',
  property: 'Every `update` carries θ as its payload, and every coordinate of θ is finite.',
  create: () => (e) => {
    if (e.kind !== 'update') return undefined;
    const theta = e.payload;
    if (theta === undefined) return 'an update without θ as its payload';
    for (let i = 0; i < theta.length; i++) {
      if (!Number.isFinite(theta[i])) return `θ after round ${e.round} has a non-finite coordinate: θ[${i}] = ${theta[i]}`;
    }
    return undefined;
  },
});
