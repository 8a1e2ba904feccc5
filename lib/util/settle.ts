/**
 * Runs every job to its end, then throws the first failure. Unlike Promise.all, nothing
 * is left running behind a failure: a file's afterAll (or a step's cleanup) then sees
 * everything its setup started, e.g. an outside container to stop.
 */
export async function allSettledOrThrow(jobs: readonly Promise<unknown>[]): Promise<void> {
  for (const r of await Promise.allSettled(jobs)) if (r.status === 'rejected') throw r.reason;
}
