/**
 * Whether a bucket root sits on a network filesystem (NFS, SMB/CIFS and
 * friends), where `flock(2)` between hosts is not to be trusted: there the fs
 * backend refuses conditional writes (key_locks.ts) rather than promise a
 * single winner it cannot keep. Found from `/proc/mounts` (Linux); where that
 * cannot be read, the root is taken for local.
 */

/** Filesystem types whose locks do not hold across hosts. */
export const NETWORK_FS_TYPES: ReadonlySet<string> = new Set([
  "nfs",
  "nfs4",
  "cifs",
  "smb3",
  "smbfs",
  "9p",
  "afs",
  "ceph",
  "glusterfs",
  "fuse.sshfs",
  "fuse.s3fs",
  "fuse.rclone",
]);

/** A field of /proc/mounts with its octal escapes (`\040` for a space) decoded. */
function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The type of the filesystem `path` (absolute, resolved) is on, from the text
 * of /proc/mounts: the mount point that is the longest prefix of it wins.
 */
export function mountTypeOf(path: string, mounts: string): string | undefined {
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split("\n")) {
    const [, rawPoint, type] = line.split(" ");
    if (!rawPoint || !type) continue;
    const point = unescapeField(rawPoint);
    const under = point === "/" || path === point || path.startsWith(point + "/");
    if (under && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

/** The network filesystem type `root` is on, or undefined when it is local (or unknown). */
export async function networkFsOf(
  root: string,
  readMounts: () => Promise<string> = () => Deno.readTextFile("/proc/mounts"),
): Promise<string | undefined> {
  let path: string;
  let mounts: string;
  try {
    path = await Deno.realPath(root);
    mounts = await readMounts();
  } catch {
    return undefined;
  }
  const type = mountTypeOf(path, mounts);
  return type !== undefined && NETWORK_FS_TYPES.has(type) ? type : undefined;
}
