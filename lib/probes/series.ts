/**
 * A timed series of requests (HTTP GETs, UDP datagrams) in one exec, around an event the
 * host causes (a backend deleted, a replacement Ready): the client loops on its own,
 * stamping each request's start with its clock, and stops once enough requests ran after
 * the event (or one got the awaited answer). An exec per request cannot keep a
 * steady rate on a loaded machine (one CI run saw 7 requests in 60 s); a loop in the pod can.
 *
 * The host tells the loop when the event happened by writing its time into `markFile`
 * (markSeries). Times are the host's and the client's clocks, assumed to agree: kind nodes
 * share the host's kernel clock; on other clusters NTP skew is small beside the bounds judged.
 */
import { curlCommand, type HttpResult } from './curl.ts';
import type { ProbeResult } from './exec.ts';
import { curlRun, EXIT_MARK, udpRun, type ProbeRunner } from './spread.ts';
import { udpCommand, type UdpResult } from './udp.ts';

export interface SeriesPlan {
  /** A file in the client the event's time (ms since the epoch) is written to, by markSeries. */
  markFile: string;
  /** Requests started this long after the event are "after the bound" … */
  boundMs: number;
  /** … and the loop stops once this long after the event has passed and `minAfter` of them ran, */
  untilMs: number;
  minAfter: number;
  /** or once this long after the loop started, whatever happened. */
  maxMs: number;
  /** Pause between requests. */
  gapS: number;
  /** The request's timeout (curl: to connect, the whole request twice that; nc: for a reply). */
  timeoutS: number;
  /** Also stop after a request at or after the event whose output is exactly this (the awaited answer). */
  stopOn?: string;
}

/** One request of a series: when it started (ms since the epoch, the client's clock) and its result. */
export interface Timed<R> {
  atEpochMs: number;
  result: R;
}
export type TimedHttp = Timed<HttpResult>;
export type TimedUdp = Timed<UdpResult>;

/** Starts each request's output: its start time; EXIT_MARK (repeated probes') ends it. */
const AT_MARK = '@@v6e2e-at=';
/** The loop's last line: an output without it lost its tail on the way. */
export const SERIES_END = '@@v6e2e-series-end';

/** The loop: argv after the plan's numbers is the request, run until the plan says stop. */
export function seriesCommand(plan: SeriesPlan, request: readonly string[], withStderr = true): string[] {
  const script = [
    'mark=$1; bound=$2; until=$3; min=$4; max=$5; gap=$6; stop=$7; shift 7',
    'hard=$(( $(date +%s%3N) + max )); t0=; n=0',
    'while :; do',
    '  now=$(date +%s%3N)',
    '  [ "$now" -ge "$hard" ] && break',
    '  if [ -z "$t0" ] && [ -s "$mark" ]; then t0=$(cat "$mark"); fi',
    '  if [ -n "$t0" ] && [ "$now" -gt $((t0 + until)) ] && [ "$n" -ge "$min" ]; then break; fi',
    `  out=$("$@" ${withStderr ? '2>&1' : '2>/dev/null'}); rc=$?`,
    '  if [ -n "$t0" ] && [ "$now" -gt $((t0 + bound)) ]; then n=$((n + 1)); fi',
    // Each record also goes to a log in the client: an exec can lose the tail of its
    // output, and a series cannot be asked again (its event is over); the log can.
    `  rec=$(printf '${AT_MARK}%s\\n%s\\n${EXIT_MARK}%s' "$now" "$out" "$rc")`,
    '  printf \'%s\\n\' "$rec"; printf \'%s\\n\' "$rec" >> "$mark.log"',
    '  if [ -n "$stop" ] && [ -n "$t0" ] && [ "$now" -ge "$t0" ] && [ "$out" = "$stop" ]; then break; fi',
    '  sleep "$gap"',
    'done',
    `printf '%s\\n' '${SERIES_END}' | tee -a "$mark.log"`,
  ].join('\n');
  return ['sh', '-c', script, 'sh', plan.markFile, String(plan.boundMs), String(plan.untilMs), String(plan.minAfter), String(plan.maxMs), String(plan.gapS), plan.stopOn ?? '', ...request];
}

/** seriesCommand's output, each request's start, output and exit code; a request cut short is missing, not invented. */
function seriesRuns(stdout: string): { atEpochMs: number; out: string; exitCode: number }[] {
  const re = new RegExp(`${AT_MARK}(\\d+)\\n([\\s\\S]*?)\\n${EXIT_MARK}(\\d+)\\n`, 'g');
  return [...stdout.matchAll(re)].map((m) => ({ atEpochMs: Number(m[1]), out: m[2]!, exitCode: Number(m[3]) }));
}

/** seriesCommand's output of curl requests as timed HTTP results. */
export function parseSeries(stdout: string, base: ProbeResult): TimedHttp[] {
  return seriesRuns(stdout).map((r) => ({ atEpochMs: r.atEpochMs, result: curlRun(base, r.out, r.exitCode) }));
}

/** seriesCommand's output of nc datagrams as timed UDP results; an exec that ran no request at all is one failed result, now, carrying its error. */
export function parseUdpSeries(stdout: string, base: ProbeResult): TimedUdp[] {
  const runs = seriesRuns(stdout);
  if (runs.length === 0) return [{ atEpochMs: Date.now(), result: { ...base, ok: false, reply: '' } }];
  return runs.map((r) => ({ atEpochMs: r.atEpochMs, result: udpRun(base, r.out, r.exitCode) }));
}

/**
 * The series' whole output: the exec's, or, when that lost its tail (no SERIES_END), the
 * log the loop kept in the client, read again (at most twice).
 */
export async function wholeSeries(from: ProbeRunner, plan: SeriesPlan, r: ProbeResult): Promise<ProbeResult> {
  const log = `${plan.markFile}.log`;
  for (let i = 0; i < 2 && !r.stdout.includes(SERIES_END); i++) {
    const again = await from.run(log, ['cat', log], 10_000);
    if (again.stdout.includes(SERIES_END)) return { ...r, stdout: again.stdout };
  }
  return r;
}

/** GETs of `url` from `from` as `plan` says, each a new connection. */
export async function httpSeries(from: ProbeRunner, url: string, plan: SeriesPlan): Promise<TimedHttp[]> {
  const cmd = seriesCommand(plan, curlCommand(url, plan.timeoutS));
  const r = await wholeSeries(from, plan, await from.run(url, cmd, plan.maxMs + plan.timeoutS * 2_000));
  return parseSeries(r.stdout, r);
}

/** Datagrams with `message` to ip:port from the fixed `sourcePort` (one flow), as `plan` says. */
export async function udpSeries(from: ProbeRunner, ip: string, port: number, message: string, sourcePort: number, plan: SeriesPlan): Promise<TimedUdp[]> {
  const cmd = seriesCommand(plan, udpCommand(ip, port, message, plan.timeoutS, sourcePort), false);
  const r = await wholeSeries(from, plan, await from.run(ip, cmd, plan.maxMs + plan.timeoutS * 1_000));
  return parseUdpSeries(r.stdout, r);
}

/** Tells the series waiting on `markFile` that the event happened at `atEpochMs`. */
export function markSeries(from: ProbeRunner, markFile: string, atEpochMs: number): Promise<ProbeResult> {
  return from.run(markFile, ['sh', '-c', 'printf %s "$1" > "$0.tmp" && mv "$0.tmp" "$0"', markFile, String(atEpochMs)], 0);
}
