/**
 * Release gating: a gate file lists the checks that must pass; every other
 * failing check only warns. Without a gate file every check gates.
 *
 * Accepted forms (`#` starts a comment everywhere):
 *
 *   # plain text: one check id or glob per line
 *   address-families/services/**
 *   connectivity/pods/*ipv6*
 *
 *   # YAML: a list, or a mapping with a `gate:` (or `checks:`) list
 *   gate:
 *     - address-families/**
 *     - "connectivity/pods/ipv6-*"
 *
 * Globs match whole check ids (`suite/<describe…>/<test>`, see reporter.ts):
 * `*` matches within one `/`-separated segment, `**` across segments, `?` one
 * character, `{a,b}` either. Patterns are case-insensitive, since ids are lowercase slugs.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../util/errors.ts';

export interface GateRule {
  pattern: string;
  /** 1-based line in the gate file, for messages. */
  line: number;
  re: RegExp;
}

export interface Gate {
  /** Where it came from, for messages (`gate.yaml`). */
  source: string;
  rules: GateRule[];
}

/** Glob → anchored RegExp over a check id. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?'; // `a/**/b` also matches `a/b`
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '{') {
      braces++;
      re += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (ch === ',' && braces > 0) {
      re += '|';
    } else {
      re += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
    }
  }
  if (braces > 0) throw new Error(`unclosed "{" in "${glob}"`);
  return new RegExp(`^${re}$`, 'i');
}

function stripComment(line: string): string {
  // `#` starts a comment unless inside quotes (YAML) — ids never contain `#`.
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

const YAML_KEYS = ['gate', 'checks', 'gating'] as const;

/** Entries with their line numbers; YAML when it looks like YAML (a list or a `gate:` key). */
function entries(text: string, source: string): { pattern: string; line: number }[] {
  const lines = text.split(/\r?\n/);
  const meaningful = lines.map((l, i) => ({ text: stripComment(l).trim(), line: i + 1 })).filter((l) => l.text !== '');
  const looksYaml = meaningful.some((l) => l.text.startsWith('- ') || l.text === '-' || /^[A-Za-z_][\w-]*:(\s|$)/.test(l.text));
  if (!looksYaml) return meaningful.map((l) => ({ pattern: l.text, line: l.line }));

  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    const why = err instanceof Error ? (err.message.split('\n', 1)[0] ?? '') : String(err);
    throw new UsageError(`gate file ${source} is not valid YAML (${why}); write one check id or glob per line`);
  }
  let list: unknown = data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const obj = data as Record<string, unknown>;
    const key = YAML_KEYS.find((k) => k in obj);
    const unknown = Object.keys(obj).filter((k) => !(YAML_KEYS as readonly string[]).includes(k));
    if (!key || unknown.length > 0) {
      throw new UsageError(
        `gate file ${source}: ${unknown.length > 0 ? `unknown key "${unknown[0]}"` : 'no gate list'}; use a top-level list or "gate:" with a list of check ids/globs`,
      );
    }
    list = obj[key] ?? [];
  }
  if (!Array.isArray(list)) throw new UsageError(`gate file ${source}: expected a list of check ids/globs`);
  // Line numbers: the n-th list item is the n-th `- ` line (good enough for messages).
  const itemLines = meaningful.filter((l) => l.text.startsWith('-')).map((l) => l.line);
  return list.map((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new UsageError(`gate file ${source}: entry ${i + 1} (${JSON.stringify(item)}) is not a check id or glob`);
    }
    return { pattern: item.trim(), line: itemLines[i] ?? 0 };
  });
}

/** Parses gate-file text. Bad syntax → UsageError (exit 2). An empty gate is an error too. */
export function parseGate(text: string, source = 'gate file'): Gate {
  const rules: GateRule[] = [];
  for (const { pattern, line } of entries(text, source)) {
    if (/\s/.test(pattern)) {
      throw new UsageError(`gate file ${source}:${line}: "${pattern}" contains whitespace; write one check id or glob per line`);
    }
    let re: RegExp;
    try {
      re = globToRegExp(pattern);
    } catch (err) {
      throw new UsageError(`gate file ${source}:${line}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!rules.some((r) => r.pattern === pattern)) rules.push({ pattern, line, re });
  }
  if (rules.length === 0) {
    throw new UsageError(`gate file ${source} lists no checks; list check ids or globs (see v6e2e list-checks), or drop --gate to gate on every check`);
  }
  return { source, rules };
}

export function readGate(file: string): Gate {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --gate file ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}); pass an existing, readable file`);
  }
  return parseGate(text, file);
}

/** True when the check must pass. No gate: every check gates. */
export function isGating(gate: Gate | undefined, id: string): boolean {
  if (!gate) return true;
  return gate.rules.some((r) => r.re.test(id));
}

/** Rules that match none of `ids`. */
export function unmatchedRules(gate: Gate, ids: Iterable<string>): GateRule[] {
  const all = [...ids];
  return gate.rules.filter((r) => !all.some((id) => r.re.test(id)));
}

/** Throws a one-line UsageError naming the first unmatched pattern. */
export function assertGateMatches(gate: Gate, ids: Iterable<string>, knownFrom: string): void {
  const all = [...ids];
  const missing = unmatchedRules(gate, all);
  if (missing.length === 0) return;
  const first = missing[0] as GateRule;
  const more = missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 4).map((r) => r.pattern).join(', ')}${missing.length > 4 ? ', …' : ''})` : '';
  throw new UsageError(
    `gate file ${gate.source}:${first.line}: "${first.pattern}" matches no check id${more} among ${all.length} known from ${knownFrom}; fix the gate file (v6e2e list-checks prints every id)`,
  );
}
