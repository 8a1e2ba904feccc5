/**
 * The CI examples of the README ("Using v6e2e in CI"), read back so tests can
 * hold them to the CLI and ci/examples/ can run them: the README is their one
 * source, never a copy that drifts.
 */

export interface CiExamples {
  /** The GitHub Actions workflow (YAML). */
  githubActions: string;
  /** The Prow periodic job (YAML). */
  prow: string;
}

const SECTION = '## Using v6e2e in CI';

/** The two ```yaml blocks of the README's CI section, in order: GitHub Actions, then Prow. */
export function ciExamples(readme: string): CiExamples {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no "${SECTION}" section`);
  const next = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  if (blocks.length < 2) throw new Error(`"${SECTION}" has ${blocks.length} yaml block(s); expected the GitHub Actions workflow and the Prow job`);
  return { githubActions: blocks[0] ?? '', prow: blocks[1] ?? '' };
}

const OPERATORS = ['&&', '||', '>>', ';', '|', '>'];

/**
 * Words of a simple shell line: quotes group and are removed, `&&`, `||`,
 * `;`, `|`, `>`/`>>` are words of their own. Enough for the examples (no
 * escapes, no substitutions are expanded).
 */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let quoted = false;
  const flush = () => {
    if (word !== '' || quoted) out.push(word);
    word = '';
    quoted = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, i + 1);
      word += line.slice(i + 1, end < 0 ? undefined : end);
      quoted = true;
      i = end < 0 ? line.length : end;
      continue;
    }
    if (/\s/.test(ch)) {
      flush();
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      flush();
      out.push(op);
      i += op.length - 1;
      continue;
    }
    word += ch;
  }
  flush();
  return out;
}

/** The arguments of every v6e2e invocation (`… bin/v6e2e.js …` or `npx v6e2e …`) in a shell line. */
export function v6e2eCommands(line: string): string[][] {
  const words = shellWords(line);
  const out: string[][] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const isBin = w.endsWith('bin/v6e2e.js');
    const isNpx = w === 'npx' && words[i + 1] === 'v6e2e';
    if (!isBin && !isNpx) continue;
    let j = i + (isNpx ? 2 : 1);
    const args: string[] = [];
    while (j < words.length && !OPERATORS.includes(words[j] as string)) args.push(words[j++] as string);
    out.push(args);
    i = j;
  }
  return out;
}
