// Side-by-side measurement for in-process benches on a shared machine. Every round runs the baseline between
// every other task (base, A, base, B, base, C, …, base; the task order reversed every other round), so each
// task's slice sits between two baseline slices measured right before and right after it, and its ratio is
// taken against their mean: load from other processes that comes and goes hits a task and its baseline alike.
// Slices are timed in this process's CPU time (process.cpuUsage: what the work cost, not how long the scheduler
// kept us waiting). Results are medians over rounds, with the spread of the per-round ratios.

/** `tasks`: [{ name, fn, async? }]; the first is the baseline. */
export async function interleaved(tasks, { rounds = 15, sliceMs = 60, warmupRounds = 1 } = {}) {
  const [base, ...others] = tasks;
  const rates = tasks.map(() => []);
  const ratios = tasks.map(() => []);
  for (let round = -warmupRounds; round < rounds; round++) {
    const order = others.map((_, i) => i + 1);
    if (round % 2) order.reverse();
    let before = await slice(base, sliceMs);
    const baseRates = [before];
    for (const i of order) {
      const rate = await slice(tasks[i], sliceMs);
      const after = await slice(base, sliceMs);
      baseRates.push(after);
      if (round >= 0) {
        rates[i].push(rate);
        ratios[i].push(rate / ((before + after) / 2));
      }
      before = after;
    }
    if (round >= 0) {
      rates[0].push(median(baseRates));
      ratios[0].push(1);
    }
  }
  return tasks.map((t, i) => ({ name: t.name, rates: rates[i], rate: median(rates[i]), ratios: ratios[i], ratio: median(ratios[i]) }));
}

/** Calls per CPU-second of one task over about `ms` of CPU time, in batches so the clock is read rarely. */
async function slice(task, ms) {
  let batch = 1;
  let calls = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    if (task.async) for (let i = 0; i < batch; i++) await task.fn();
    else for (let i = 0; i < batch; i++) task.fn();
    calls += batch;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
    if (used < 2000) batch *= 2;
  }
  return (calls / used) * 1e6;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The middle half of a list of ratios (25th–75th percentile), for the spread column. */
export function quartiles(xs, digits = 3) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return `${at(0.25).toFixed(digits)}–${at(0.75).toFixed(digits)}`;
}
