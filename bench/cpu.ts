// CPU time spent by this process and by the PostgreSQL server it talks to (the postmaster's children,
// found from a backend's parent), for "CPU per operation" figures next to the throughput ones.
import fs from 'node:fs';
import type pg from 'pg';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function ppidOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** A meter; `read()` gives CPU ms of this process and of the database server since `start`. */
export async function cpuMeter(pool: pg.Pool) {
  const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
  const postmaster = ppidOf(rows[0]!.pid);
  const serverMs = () => {
    let sum = procCpuMs(postmaster);
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (ppidOf(Number(d)) === postmaster) sum += procCpuMs(Number(d));
      } catch {
        /* gone */
      }
    }
    return sum;
  };
  const u0 = process.cpuUsage();
  const s0 = serverMs();
  return {
    read() {
      const u = process.cpuUsage(u0);
      return { nodeMs: (u.user + u.system) / 1000, dbMs: serverMs() - s0 };
    },
  };
}
