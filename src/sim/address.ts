/** Actor addresses on the network: `server`, `adversary`, `worker/<i>`. */
export const SERVER = 'server';
export const ADVERSARY = 'adversary';

export function workerAddress(i: number): string {
  return `worker/${i}`;
}

/** Which worker index an address names, or -1 when it is not a worker's. */
export function workerIndex(address: string): number {
  return address.startsWith('worker/') ? Number(address.slice(7)) : -1;
}
