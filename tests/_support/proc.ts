/** Linux /proc measurements of a process (open descriptors, memory), for leak and bound checks. */

/** Open file descriptors of a process. */
export async function fdCount(pid: number): Promise<number> {
  let n = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) n++;
  return n;
}

/** A memory figure of a process in bytes: VmRSS (resident now) or VmHWM (resident at its peak). */
export async function memory(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!m) throw new Error(`Cannot read ${field} of ${pid}`);
  return Number(m[1]) * 1024;
}
