/**
 * When the serial group's files may start. They run in the files of checks' own (warm)
 * workers, sorted after them (sequencer.ts); a separate vitest project for them cost
 * 10–15 s of worker start-up between the phases on a loaded machine. Each waits here
 * for the phases before its own (serialPhaseOf): every file of checks has ended, and for
 * a file that holds every resource, every other serial file too (all four picked up at
 * once, the one holding everything had taken the locks first and kept CoreDNS from
 * dns64's faults for the 8 s of its own start).
 *
 * Only the main process sees every file end: a reporter (SerialBarrier) writes one file
 * per phase once the phases before it have ended; the workers poll for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule, TestSpecification } from 'vitest/node';
import type { SerialPhase } from './schedule.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's phase barriers go (serialBarrierFile), provided by vitest.config.ts. */
    serialBarrier: SerialBarrierPlace;
  }
}

export interface SerialBarrierPlace {
  /** The directory of the run's serial locks. */
  dir: string;
  /** A run's barriers never meet another's: its id is part of each name. */
  runId: string;
}

/** The file whose presence lets files of `phase` start. */
export function serialBarrierFile(place: SerialBarrierPlace, phase: Exclude<SerialPhase, 0>): string {
  return path.join(place.dir, `${place.runId}.serial-phase-${phase}`);
}

const LATER_PHASES = [1, 2] as const;

/** Files of each phase still going, by module id; a phase opens when every earlier phase has none left. */
export class SerialBarrier implements Reporter {
  private readonly pending = new Map<SerialPhase, Set<string>>();
  /** Phases this run has files of and whose barrier is not written yet. */
  private readonly closed = new Set<Exclude<SerialPhase, 0>>();

  /** `phaseOf` takes vitest's module id (an absolute path). */
  constructor(
    private readonly place: SerialBarrierPlace,
    private readonly phaseOf: (moduleId: string) => SerialPhase,
  ) {}

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.pending.clear();
    this.closed.clear();
    this.removeAll();
    for (const s of specifications) {
      const p = this.phaseOf(s.moduleId);
      if (!this.pending.has(p)) this.pending.set(p, new Set());
      this.pending.get(p)!.add(s.moduleId);
      if (p !== 0) this.closed.add(p);
    }
    this.openWhatIsDue();
  }

  onTestModuleEnd(m: TestModule): void {
    this.pending.get(this.phaseOf(m.moduleId))?.delete(m.moduleId);
    this.openWhatIsDue();
  }

  onTestRunEnd(): void {
    this.removeAll();
  }

  private openWhatIsDue(): void {
    for (const p of LATER_PHASES) {
      if (!this.closed.has(p)) continue;
      const before = [...this.pending].filter(([q]) => q < p);
      if (before.some(([, files]) => files.size > 0)) continue;
      this.closed.delete(p);
      fs.mkdirSync(this.place.dir, { recursive: true });
      fs.writeFileSync(serialBarrierFile(this.place, p), `${process.pid}\n`);
    }
  }

  private removeAll(): void {
    for (const p of LATER_PHASES) {
      const f = serialBarrierFile(this.place, p);
      if (fs.existsSync(f)) fs.rmSync(f, { force: true });
    }
  }
}

/** Resolves once the barrier file exists; past `timeoutMs` throws, naming the file. */
export async function waitForSerialBarrier(file: string, opts: { timeoutMs: number; pollMs?: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(`the files this one must follow had not all ended after ${Math.round(opts.timeoutMs / 1000)} s (no ${file}): a disruptive file must not start beside them`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

/** Disruptive files of this worker past their barrier and holding their locks (serial.ts): only their checks may run. */
const inTurn = new Set<string>();

export function beginSerialTurn(file: string): void {
  inTurn.add(file);
}

export function endSerialTurn(file: string): void {
  inTurn.delete(file);
}

/** True while `file` (an absolute path, as vitest names it) is past its barrier and holds its locks. */
export function inSerialTurn(file: string): boolean {
  return inTurn.has(file);
}
