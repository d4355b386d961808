/**
 * The ℓp rules' power before src/kernels/lp.ts, kept as the oracle its tests
 * compare with bit for bit.
 *
 * x ↦ xᵖ for x ≥ 0, specialized once per exponent: integer exponents (the
 * ℓp rules of MixTailor's pool use p = 1 … 16) by repeated multiplication,
 * which is an order of magnitude faster than Math.pow in the hot loops of
 * ℓp distances; other exponents fall back to Math.pow. Results may differ from
 * Math.pow in the last bits; they are deterministic.
 */
export function powerFunction(p: number): (x: number) => number {
  if (!Number.isInteger(p) || Math.abs(p) > 64) return (x) => Math.pow(x, p);
  if (p < 0) {
    const q = powerFunction(-p);
    return (x) => 1 / q(x);
  }
  switch (p) {
    case 0:
      return () => 1;
    case 1:
      return (x) => x;
    case 2:
      return (x) => x * x;
    case 3:
      return (x) => x * x * x;
    case 4:
      return (x) => {
        const y = x * x;
        return y * y;
      };
    default:
      return (x) => {
        let r = 1;
        let b = x;
        for (let e = p; e > 0; e >>= 1) {
          if (e & 1) r *= b;
          b *= b;
        }
        return r;
      };
  }
}
