// A sweep thread's entry in a clone: tsx's loader registered first, then the TypeScript module
// (as bin/byzsim.js does for the main thread). From dist/ the compiled thread.js is the entry.
const { register } = await import('tsx/esm/api');
register();
const thread = await import('./thread.ts');
export default thread.default;
