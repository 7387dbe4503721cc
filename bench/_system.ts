/**
 * The machine under the benchmark: tools (installed with apt-get when
 * missing), the machine line, free ports, and per-process CPU and memory from
 * /proc. Linux only.
 */

/** Runs a command to completion; its exit code and output. */
export async function sh(
  cmd: string,
  args: readonly string[],
  options: { readonly env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(options.env ? { env: options.env } : {}),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function have(tool: string): Promise<boolean> {
  return (await sh("sh", ["-c", `command -v ${tool}`])).code === 0;
}

/** The Debian package of each tool the harness runs. */
const PACKAGES: Readonly<Record<string, string>> = {
  nginx: "nginx",
  wrk: "wrk",
  curl: "curl",
  openssl: "openssl",
};

/**
 * Installs the missing tools with apt-get (as root, or through sudo);
 * returns the packages installed. Throws when a tool stays missing.
 */
export async function ensureTools(log: (s: string) => void): Promise<string[]> {
  const missing: string[] = [];
  for (const [tool, pkg] of Object.entries(PACKAGES)) if (!await have(tool)) missing.push(pkg);
  if (missing.length === 0) return [];
  log(`installing ${missing.join(", ")} with apt-get`);
  const env = { DEBIAN_FRONTEND: "noninteractive", PATH: Deno.env.get("PATH") ?? "" };
  const apt = (args: string[]) =>
    Deno.uid() === 0
      ? sh("apt-get", args, { env })
      : sh("sudo", ["-E", "apt-get", ...args], { env });
  const update = await apt(["update"]);
  if (update.code !== 0) throw new Error(`Cannot run apt-get update: ${update.stderr}`);
  const install = await apt(["install", "-y", "--no-install-recommends", ...missing]);
  if (install.code !== 0) {
    throw new Error(`Cannot install ${missing.join(", ")}: ${install.stderr}`);
  }
  for (const tool of Object.keys(PACKAGES)) {
    if (!await have(tool)) throw new Error(`Cannot find ${tool} after installing it`);
  }
  return missing;
}

/** Whether nginx was built with the DAV module (PUT on the origin). */
export async function nginxHasDav(): Promise<boolean> {
  const v = await sh("nginx", ["-V"]);
  return /http_dav_module/.test(v.stderr + v.stdout);
}

/** `2 cores, AMD EPYC 7B13; Linux 6.1; deno 2.9.6; nginx 1.22.1; wrk 4.1.0; curl 7.88.1`. */
export async function machineLine(): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length ||
    navigator.hardwareConcurrency;
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU";
  const kernel = (await Deno.readTextFile("/proc/sys/kernel/osrelease")).trim();
  const nginx = /nginx\/(\S+)/.exec((await sh("nginx", ["-v"])).stderr)?.[1] ?? "?";
  const wrkOut = await sh("wrk", ["-v"]);
  const wrk = /wrk (\S+)/.exec(wrkOut.stdout + wrkOut.stderr)?.[1] ?? "?";
  const curl = /curl (\S+)/.exec((await sh("curl", ["--version"])).stdout)?.[1] ?? "?";
  const mem = /^MemTotal:\s+(\d+) kB/m.exec(await Deno.readTextFile("/proc/meminfo"))?.[1];
  const gib = mem ? `${(Number(mem) / 1024 / 1024).toFixed(0)} GiB RAM` : "";
  return `${cores} cores, ${model}, ${gib}; Linux ${kernel}; deno ${Deno.version.deno}; ` +
    `nginx ${nginx}; wrk ${wrk}; curl ${curl}`;
}

/** The 1-minute load average now (how busy the machine was). */
export async function loadAverage(): Promise<number> {
  return Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);
}

/** Waits until something accepts connections on the port. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch (e) {
      if (!(e instanceof Deno.errors.ConnectionRefused)) throw e;
      if (Date.now() > deadline) throw new Error(`Cannot connect to port ${port}: still refused`);
      await sleep(50);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Clock ticks per second of /proc/<pid>/stat times. */
let ticksPerSecond = 100;
export async function initClockTicks(): Promise<void> {
  const r = await sh("getconf", ["CLK_TCK"]).catch(() => undefined);
  const n = Number(r?.stdout.trim());
  if (n > 0) ticksPerSecond = n;
}

/** Fields of /proc/<pid>/stat after the command name (index 0 = state). */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const s = await Deno.readTextFile(`/proc/${pid}/stat`);
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  const f = await statFields(pid);
  if (!f) return 0;
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond;
}

/** CPU seconds of children a process has waited for (cutime + cstime). */
export function childCpuSeconds(statLine: string): number {
  const f = statLine.slice(statLine.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / ticksPerSecond;
}

/** What a client tool printed, and the CPU seconds it used. */
export interface MeasuredRun {
  readonly success: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The tool's CPU seconds (NaN when they could not be read). */
  readonly cpuSeconds: number;
}

/**
 * Runs a client tool (wrk, curl) under a shell that waits for it and then
 * prints its own /proc stat line, whose children's times are the tool's CPU.
 */
export async function runMeasured(tool: string, args: readonly string[]): Promise<MeasuredRun> {
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      `${tool} "$@"; s=$?; echo; echo "SHSTAT $(cat /proc/$$/stat)"; exit $s`,
      "sh",
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stat = /SHSTAT (.*)/.exec(stdout)?.[1];
  return {
    success: out.success,
    stdout,
    stderr: new TextDecoder().decode(out.stderr),
    cpuSeconds: stat ? childCpuSeconds(stat) : NaN,
  };
}

/** The process ids whose parent is `pid` (nginx's workers). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const f = await statFields(Number(e.name));
    if (f && Number(f[1]) === pid) out.push(Number(e.name));
  }
  return out;
}

/** A memory figure of a process in bytes: VmRSS (resident now) or VmHWM (its peak). */
export async function memory(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!m) throw new Error(`Cannot read ${field} of ${pid}: not in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/**
 * Tracks a process's peak resident memory over an interval: resets VmHWM
 * (`5` into /proc/<pid>/clear_refs, Linux ≥ 4.0, needs to own the process)
 * and also samples VmRSS every 50 ms, in case the reset is refused.
 */
export async function trackPeakRss(pid: number): Promise<() => Promise<number>> {
  let reset = false;
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
    reset = true;
  } catch { /* not permitted: sampling only */ }
  let peak = await memory(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await memory(pid).catch(() => 0));
      await sleep(50);
    }
  })();
  return async () => {
    running = false;
    await sampler;
    const hwm = reset ? await memory(pid, "VmHWM").catch(() => 0) : 0;
    return Math.max(peak, hwm);
  };
}

/**
 * CPU seconds of a process so far, split: its main thread (the JS isolate's
 * thread: tid = pid) and all its other threads together (V8's GC helpers,
 * Tokio's I/O and blocking pools). Zeros when it is gone.
 */
export async function threadCpuSeconds(pid: number): Promise<{ main: number; others: number }> {
  let main = 0, others = 0;
  try {
    for await (const e of Deno.readDir(`/proc/${pid}/task`)) {
      const line = await Deno.readTextFile(`/proc/${pid}/task/${e.name}/stat`).catch(() => "");
      const f = line.slice(line.lastIndexOf(")") + 2).split(" ");
      const s = line ? (Number(f[11]) + Number(f[12])) / ticksPerSecond : 0;
      if (Number(e.name) === pid) main += s;
      else others += s;
    }
  } catch { /* gone */ }
  return { main, others };
}
