/**
 * Loaded into a Finch process by `--import` when BENCH_HEAP_PROFILE names a directory (see
 * profileArgs in finch-process.ts). Plain JavaScript because it runs inside Finch, which runs from
 * dist/ without a TypeScript loader.
 *
 * V8's sampling heap profiler, asked to keep the objects that minor and major collections freed as
 * well: the profile then says who allocated how much over the whole run (allocation rate), not
 * only what was still alive at the end, which is what `node --heap-prof` reports. One sample per
 * 64 KiB allocated on average. Written as `<pid>.heapprofile` when the process exits, in the
 * format Chrome's DevTools loads (Memory → Load) and bench/profile-summary.ts sums up.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

// profileArgs passes the directory, absolute, as `?dir=`: Finch's environment does not carry BENCH_* settings.
const dir = new URL(import.meta.url).searchParams.get('dir');
if (dir) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 65_536,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // An in-process inspector session answers synchronously, so the profile is written before the
  // process is gone, whichever way it exits normally (Finch's SIGTERM handling ends in exit()).
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) process.stderr.write(`allocation sampler: ${error.message}\n`);
      else {
        // As --cpu-prof-dir does: the directory need not exist yet.
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
      }
    });
  });
}
