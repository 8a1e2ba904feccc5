#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run without a build step
// (no stale dist/ can ever disagree with lib/).
import { register } from 'tsx/esm/api';
register();
// client-node as the one file the vitest workers load (lib/harness/prebundle.ts), where built.
const { useExistingPrebundles } = await import('../lib/harness/prebundle.ts');
useExistingPrebundles();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
