/**
 * CPU time, from /proc (Linux only): how busy Finch's processes, the database server, the bench and
 * the machine as a whole were during a run. A latency that grows while a process is near a whole
 * core, or while the machine has no core to spare, is queueing for CPU, not a slow code path; and
 * CPU the machine spent on none of them is other work (a test run, a build) competing with the
 * measurement.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc's times: USER_HZ, 100 on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) and parent of a process, or undefined once it is gone. */
function processStat(pid: number): { cpu: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 4 (ppid), 14 and 15 (utime, stime) of the line: 1, 11 and 12 after the name.
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/**
 * CPU seconds of a process and its children, per pid: a PostgreSQL server is a postmaster and one
 * backend per connection. A backend that exits between two readings takes its time with it.
 */
function treeCpu(root: number): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids()) {
    const stat = processStat(pid);
    if (stat && (pid === root || stat.ppid === root)) times.set(pid, stat.cpu);
  }
  return times;
}

/** The PostgreSQL server listening on `port` if it runs on this machine (found by its `-p` argument). */
export function findPostmaster(port: number): number | undefined {
  for (const pid of pids()) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (path.basename(args[0] ?? '') === 'postgres' && args.some((arg, index) => arg === '-p' && args[index + 1] === String(port))) return pid;
  }
  return undefined;
}

/** CPU seconds all cores spent busy (everything but idle and iowait) since boot. */
function machineBusySeconds(): number | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Cores busy (1 = one core all the time); undefined where it could not be read. */
export interface CpuUse {
  /** Per watched process (Finch's server, then its workers). */
  processes: (number | undefined)[];
  /** The database server and its backends, when it runs on this machine. */
  database: number | undefined;
  /** This process: the load generator and the receiver. */
  self: number;
  machine: number | undefined;
  /** The machine minus all of the above: work that has nothing to do with the run. */
  others: number | undefined;
}

/** CPU used from construction until `stop()`. */
export class CpuMeter {
  private readonly startedAt = performance.now();
  private readonly processStart: (number | undefined)[];
  private readonly databaseStart: Map<number, number> | undefined;
  private readonly selfStart = process.cpuUsage();
  private readonly machineStart = machineBusySeconds();

  constructor(
    private readonly watched: readonly number[],
    private readonly databasePid?: number,
  ) {
    this.processStart = watched.map((pid) => processStat(pid)?.cpu);
    this.databaseStart = databasePid === undefined ? undefined : treeCpu(databasePid);
  }

  stop(): CpuUse {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rate = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? undefined : (after - before) / seconds;
    const processes = this.watched.map((pid, index) => rate(this.processStart[index], processStat(pid)?.cpu));
    let database: number | undefined;
    if (this.databasePid !== undefined) {
      // Backends that started during the run count from zero.
      let used = 0;
      for (const [pid, cpu] of treeCpu(this.databasePid)) used += cpu - (this.databaseStart!.get(pid) ?? 0);
      database = used / seconds;
    }
    const selfUsage = process.cpuUsage(this.selfStart);
    const self = (selfUsage.user + selfUsage.system) / 1e6 / seconds;
    const machine = rate(this.machineStart, machineBusySeconds());
    const known = [...processes, database ?? 0, self];
    const others = machine === undefined || known.some((cores) => cores === undefined) ? undefined : Math.max(0, machine - sum(known as number[]));
    return { processes, database, self, machine, others };
  }
}

/**
 * Waits until the machine's other work (everything but the watched processes, the database and
 * this process) stays below `threshold` cores over a `windowMs` window, checking for at most
 * `maxMs`. Returns the last window's figure: above the threshold if it never settled.
 */
export async function waitForQuiet(options: {
  watched: readonly number[];
  databasePid?: number | undefined;
  threshold: number;
  windowMs: number;
  maxMs: number;
}): Promise<number | undefined> {
  const deadline = performance.now() + options.maxMs;
  for (;;) {
    const meter = new CpuMeter(options.watched, options.databasePid);
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const { others } = meter.stop();
    if (others === undefined || others < options.threshold || performance.now() >= deadline) return others;
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
