/**
 * Spins until this process has used `seconds` of CPU by its own clock (or 15 s of wall time
 * passed), however loaded the machine is; returns the CPU seconds it used.
 */
export function spinCpu(seconds: number): number {
  const start = process.cpuUsage();
  const giveUp = Date.now() + 15_000;
  let x = 0;
  const spent = (): number => {
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1e6;
  };
  while (spent() < seconds && Date.now() < giveUp) for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
  return x >= 0 ? spent() : 0;
}
