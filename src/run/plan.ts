/**
 * A run plan: everything a run is a function of, as plain serializable data —
 * the normalized scenario (every default filled in; its seed included), the
 * compute backend, byzsim's version and the user modules the scenario names
 * (by content hash). It also records the vector-kernel path, which does not
 * change results (the scalar and SIMD kernels are bit-identical) and is kept
 * for diagnosis only.
 *
 * Its id is the SHA-256 of its canonical JSON without the run's name, output
 * directory and kernel path: two plans with the same id compute the same
 * trace. Sweeps use it to name, deduplicate and resume runs.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.ts';
import type { ModuleRecord } from '../scenario/modules.ts';
import { VERSION } from '../version.ts';

export type { ModuleRecord } from '../scenario/modules.ts';

export interface RunPlan {
  format: 1;
  byzsim: string;
  /** The normalized scenario, without its output settings. */
  scenario: Scenario;
  backend: string;
  kernels: 'simd' | 'scalar';
  modules: ModuleRecord[];
  id: string;
}

export interface PlanOptions {
  backend: string;
  kernels: 'simd' | 'scalar';
  modules?: ModuleRecord[];
}

export function createPlan(scenario: Scenario, options: PlanOptions): RunPlan {
  const { output: _output, ...rest } = scenario;
  const normalized = { ...rest, output: {} } as Scenario;
  const plan: Omit<RunPlan, 'id'> = {
    format: 1,
    byzsim: VERSION,
    scenario: normalized,
    backend: options.backend,
    kernels: options.kernels,
    modules: options.modules ?? [],
  };
  return { ...plan, id: planId(plan) };
}

/** The id of a plan: what its result depends on, hashed. */
export function planId(plan: Omit<RunPlan, 'id'>): string {
  const { name: _name, output: _output, ...scenario } = plan.scenario;
  // A module counts by its content, not by where this machine keeps it.
  const modules = plan.modules.map(({ spec, sha256 }) => ({ spec, sha256 }));
  const identity = { format: plan.format, byzsim: plan.byzsim, backend: plan.backend, modules, scenario };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
