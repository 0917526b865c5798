// Wall time, CPU time and peak RSS of one piece of work, for the benchmarks.
export interface Measure {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

export async function measure<T>(fn: () => Promise<T>): Promise<[T, Measure]> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return [result, { wallMs, cpuMs: (used.user + used.system) / 1000, peakRssMb: peak / 1024 / 1024 }];
}

export const fmt = (m: Measure) => `wall ${(m.wallMs / 1000).toFixed(2)} s, CPU ${(m.cpuMs / 1000).toFixed(2)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB`;
