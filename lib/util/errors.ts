/**
 * Error classes that map to the CLI's exit codes. Throw these from anywhere;
 * the CLI prints `message` (one line, says what to do) and exits with `exitCode`.
 *   2: bad usage or unusable environment (unknown profile, broken kubeconfig, no Docker)
 *   3: the run itself broke (cluster creation failed) — not the cluster under test
 */
export abstract class V6e2eError extends Error {
  abstract readonly exitCode: number;
}

/** Bad input from the user: unknown flag, profile, suite, unreadable file. Exit 2. */
export class UsageError extends V6e2eError {
  readonly exitCode = 2;
  override name = 'UsageError';
}

/** The machine cannot run the harness (no Docker, no root to install it…). Exit 2. */
export class EnvironmentError extends V6e2eError {
  readonly exitCode = 2;
  override name = 'EnvironmentError';
}

/** The harness could not bring up what it needs (cluster creation, image build). Exit 3. */
export class RunBrokenError extends V6e2eError {
  readonly exitCode = 3;
  override name = 'RunBrokenError';
}
