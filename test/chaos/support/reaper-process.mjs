// The chaos run's watchdog (see reaper.ts), plain JavaScript so that it starts without a loader.
// It runs detached, in a session of its own: Ctrl-C does not reach it, and it outlives the run
// however that ends. When the run's IPC channel closes without a release, it kills what the run
// started and removes its directories.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const pids = new Set();
const postgresDataDirs = new Set();
const dirs = [];
let released = false;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function cleanUp() {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dataDir of postgresDataDirs) {
    try {
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      // Immediate shutdown: the postmaster takes its backends down, then exits.
      if (pid > 0) process.kill(pid, 'SIGQUIT');
      for (let waited = 0; waited < 10_000 && pid > 0 && alive(pid); waited += 20) sleep(20);
    } catch {
      /* not running */
    }
  }
  for (let waited = 0; waited < 5_000 && [...pids].some(alive); waited += 20) sleep(20);
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    } catch {
      /* best effort */
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
process.on('message', (message) => {
  if (message.op === 'pid') pids.add(message.pid);
  else if (message.op === 'forget-pid') pids.delete(message.pid);
  else if (message.op === 'postgres') postgresDataDirs.add(message.dataDir);
  else if (message.op === 'dir') dirs.push(message.path);
  else if (message.op === 'release') released = true;
});
process.on('disconnect', () => {
  if (!released) cleanUp();
  process.exit(0);
});
