#!/usr/bin/env node
// In a clone (src/ is there), run the TypeScript sources through tsx's loader;
// installed from npm (dist/ only), run the compiled JavaScript.
import { existsSync } from 'node:fs';

const clone = existsSync(new URL('../src/cli/main.ts', import.meta.url));
if (clone) (await import('tsx/esm/api')).register();
const { main } = await import(clone ? '../src/cli/main.ts' : '../dist/cli/main.js');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
