/**
 * How the e2e files share one cluster: files of checks run concurrently (each works
 * in its own namespaces, reads the rest), then the fault files run one at a time,
 * like upstream's [Serial]/[Disruptive]. A disruptive check may only be declared in a
 * fault file (check.ts enforces it), so nothing that changes nodes, CoreDNS, the
 * translator, MetalLB or kube-proxy ever overlaps another file.
 */
import path from 'node:path';

/** The vitest projects of an e2e run, in the order their groups run. */
export const E2E_PROJECTS = ['e2e', 'e2e-serial'] as const;

/** Fault files: `faults.test.ts` or `<topic>-faults.test.ts` in a suite folder. */
export const SERIAL_GLOBS = ['suites/**/faults.test.ts', 'suites/**/*-faults.test.ts'];

export function isSerialFile(file: string): boolean {
  return /^(.+-)?faults\.test\.ts$/.test(path.basename(file));
}

/**
 * Files of checks running at once against one cluster. Setup (pods, Services,
 * rollouts) is mostly waiting on the cluster, so a third worker still pays on 2 cores.
 */
export const DEFAULT_E2E_WORKERS = 3;
