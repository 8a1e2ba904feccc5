import { readFile, writeFile } from 'node:fs/promises';
import type { Progress } from '../util/progress.ts';

/**
 * Kernel limits kind nodes need. Every node runs a kubelet, kube-proxy and
 * friends with inotify watchers; with the default 128 instances per user the
 * third cluster's kube-proxy dies with "too many open files" (kind known issue).
 */
export const HOST_SYSCTLS: Record<string, number> = {
  'fs/inotify/max_user_instances': 1024,
  'fs/inotify/max_user_watches': 1048576,
};

/** Raises each limit that is lower than needed (root only); reports what it could not raise. */
export async function tuneHost(progress: Progress): Promise<string[]> {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(HOST_SYSCTLS)) {
    const file = `/proc/sys/${key}`;
    // Unreadable counts as too low: raised below as root, reported otherwise, never taken as enough.
    const have = Number((await readFile(file, 'utf8').catch(() => '0')).trim());
    if (have >= want) continue;
    if (process.getuid?.() !== 0) {
      problems.push(`${key.replaceAll('/', '.')} is ${have}, kind needs ${want} (sysctl -w as root)`);
      continue;
    }
    await writeFile(file, `${want}\n`);
    progress.info(`raised ${key.replaceAll('/', '.')} from ${have} to ${want}`);
  }
  return problems;
}
