import { createHash } from "node:crypto";
import { createFsBackend } from "../../src/backends/fs/fs.ts";
import { runBackendContract } from "./backend_contract.ts";

/**
 * Every file and directory under `root` (directories end in `/`), with its
 * size, mtime and digest; but the lock files (`.bucketgate/locks/`), a fixed
 * set that hold no data: any write may create one.
 */
async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (`${rel}${e.name}` === ".bucketgate/locks") continue;
      if (e.isDirectory) {
        out.set(`${rel}${e.name}/`, "dir");
        await walk(path, `${rel}${e.name}/`);
        continue;
      }
      const st = await Deno.stat(path);
      const digest = createHash("sha256").update(await Deno.readFile(path)).digest("hex");
      out.set(`${rel}${e.name}`, `${st.size} ${st.mtime?.getTime()} ${digest}`);
    }
  };
  await walk(root, "");
  return out;
}

runBackendContract("fs", async () => {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-fs-" });
  return {
    backend: createFsBackend({ root }),
    cleanup: () => Deno.remove(root, { recursive: true }),
    snapshot: () => tree(root),
  };
});
