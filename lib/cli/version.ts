import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAB } from '../lab/versions.ts';

/** The package's own version, read from the package.json next to lib/ (a clone or an installed package). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** `v6e2e 0.3.0 (lab: Kubernetes v1.34.4, kind v0.30.0; node v20.20.2)` */
export function versionLine(): string {
  return `v6e2e ${packageVersion()} (lab: Kubernetes ${LAB.kubernetes}, kind ${LAB.kind}; node ${process.version})`;
}
