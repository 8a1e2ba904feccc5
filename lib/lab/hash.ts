import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content hash over files and strings: the lab's cache key. File names are
 * hashed relative to their root so moving the checkout does not invalidate it.
 */
export class ContentHash {
  private readonly h = createHash('sha256');

  add(label: string, value: string): this {
    this.h.update(`${label}\0${value}\0`);
    return this;
  }

  async addFile(label: string, file: string): Promise<this> {
    this.h.update(`${label}\0`);
    this.h.update(await readFile(file));
    this.h.update('\0');
    return this;
  }

  /** Adds every regular file below dir (sorted), skipping names `skip` rejects. */
  async addTree(label: string, dir: string, skip: (rel: string) => boolean = () => false): Promise<this> {
    for (const rel of await listFiles(dir)) {
      if (skip(rel)) continue;
      await this.addFile(`${label}/${rel}`, path.join(dir, rel));
    }
    return this;
  }

  digest(length = 16): string {
    return this.h.digest('hex').slice(0, length);
  }
}

export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile() || (e.isSymbolicLink() && (await stat(path.join(dir, rel))).isFile())) out.push(rel);
  }
  return out;
}
