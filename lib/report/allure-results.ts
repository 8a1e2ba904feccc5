/**
 * Reading allure-results/ back: the result of a summary's check, and its
 * attachments (evidence written by suites/setup/evidence.ts), so the HTML
 * overview can show a failing check's evidence next to its message.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult } from './summary.ts';

export interface AllureAttachmentRef {
  name: string;
  /** File name inside allure-results/. */
  source: string;
  type?: string;
}

interface AllureStep {
  name?: string;
  attachments?: AllureAttachmentRef[];
  steps?: AllureStep[];
}

export interface AllureResult {
  uuid: string;
  name: string;
  fullName?: string;
  historyId?: string;
  status?: string;
  start?: number;
  stop?: number;
  labels: { name: string; value: string }[];
  attachments?: AllureAttachmentRef[];
  steps?: AllureStep[];
}

function isResult(x: unknown): x is AllureResult {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  return typeof r.uuid === 'string' && typeof r.name === 'string' && Array.isArray(r.labels);
}

/** Every `*-result.json` of a results dir that parses; unreadable ones are skipped (Allure skips them too). */
export function readAllureResults(resultsDir: string): AllureResult[] {
  let names: string[];
  try {
    names = fs.readdirSync(resultsDir);
  } catch (err) {
    // No results dir: a run without Allure output. Anything else would drop every result unseen.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: AllureResult[] = [];
  for (const n of names) {
    if (!n.endsWith('-result.json')) continue;
    try {
      const data = JSON.parse(fs.readFileSync(path.join(resultsDir, n), 'utf8')) as unknown;
      if (isResult(data)) out.push(data);
    } catch {
      // A torn or foreign file: skipped, as Allure skips it; the summary still has the check.
    }
  }
  return out;
}

/** The last value of a label (allure-vitest adds labels before ours; the last wins). Also for history entries. */
export function label(r: { labels?: readonly { name: string; value: string }[] }, name: string): string | undefined {
  return [...(r.labels ?? [])].reverse().find((l) => l.name === name)?.value;
}

/** Allure's statuses for a check that did not pass: an assertion (`failed`) or an error (`broken`). */
export function isFailedStatus(status: string | undefined): boolean {
  return status === 'failed' || status === 'broken';
}

/** The result's attachments and those of its steps, in order. */
export function attachmentsOf(r: AllureResult): AllureAttachmentRef[] {
  const out = [...(r.attachments ?? [])];
  const walk = (steps: AllureStep[] | undefined) => {
    for (const s of steps ?? []) {
      out.push(...(s.attachments ?? []));
      walk(s.steps);
    }
  };
  walk(r.steps);
  return out;
}

/** The label suites/setup/labels.ts gives every declared check's Allure result: its id. */
export const CHECK_ID_LABEL = 'checkId';

/**
 * The Allure result of a summary check: same profile (the `parentSuite` label) and
 * the check's declared id (the `checkId` label). Results written before checks were
 * declared have no such label: for them, the same suite folder and the same describe
 * path + title (summary names joined it with ` › `, Allure's fullName with spaces
 * after `#`). With retries there are several: the last one is the verdict.
 */
export function resultForCheck(results: readonly AllureResult[], profile: string, check: Pick<CheckResult, 'suite' | 'name'> & { id?: string }): AllureResult | undefined {
  const byId = check.id === undefined ? [] : results.filter((r) => label(r, 'parentSuite') === profile && label(r, CHECK_ID_LABEL) === check.id);
  if (byId.length > 0) return byId.sort((a, b) => (a.stop ?? 0) - (b.stop ?? 0)).at(-1);
  if (check.name === undefined) return undefined;
  const title = check.name.split(' › ').join(' ');
  const matches = results.filter((r) => {
    if (label(r, 'parentSuite') !== profile || label(r, CHECK_ID_LABEL) !== undefined) return false;
    const full = r.fullName ?? '';
    const hash = full.indexOf('#');
    if (hash < 0 || full.slice(hash + 1) !== title) return false;
    return full.slice(0, hash).includes(`suites/${check.suite}/`);
  });
  return matches.sort((a, b) => (a.stop ?? 0) - (b.stop ?? 0)).at(-1);
}
