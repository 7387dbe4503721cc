import assert from "node:assert/strict";
import { mountTypeOf, networkFsOf } from "../../../../src/backends/fs/network_mount.ts";
import { withRoot } from "./_support.ts";

const MOUNTS = [
  "/dev/sda1 / ext4 rw,relatime 0 0",
  "server:/export /mnt/nfs nfs4 rw,relatime 0 0",
  "//host/share /mnt/my\\040share cifs rw 0 0",
  "tmpfs /mnt/nfs/local tmpfs rw 0 0",
].join("\n");

Deno.test("mountTypeOf() takes the longest mount point above the path, escapes decoded", () => {
  assert.equal(mountTypeOf("/home/u/data", MOUNTS), "ext4");
  assert.equal(mountTypeOf("/mnt/nfs", MOUNTS), "nfs4");
  assert.equal(mountTypeOf("/mnt/nfs/bucket", MOUNTS), "nfs4");
  assert.equal(
    mountTypeOf("/mnt/nfsx/bucket", MOUNTS),
    "ext4",
    "a prefix of a name is not a parent",
  );
  assert.equal(mountTypeOf("/mnt/nfs/local/b", MOUNTS), "tmpfs");
  assert.equal(mountTypeOf("/mnt/my share/b", MOUNTS), "cifs");
  assert.equal(mountTypeOf("/x", ""), undefined);
});

Deno.test("networkFsOf() names NFS or SMB under the root, nothing for a local disk or unreadable mounts", async () => {
  await withRoot(async (root) => {
    const real = await Deno.realPath(root);
    const over = (type: string) => () =>
      Promise.resolve(`a ${real} ${type} rw 0 0\n/dev/x / ext4 rw 0 0`);
    assert.equal(await networkFsOf(root, over("nfs")), "nfs");
    assert.equal(await networkFsOf(root, over("cifs")), "cifs");
    assert.equal(await networkFsOf(root, over("ext4")), undefined);
    assert.equal(await networkFsOf(root, () => Promise.reject(new Error("no /proc"))), undefined);
    assert.equal(await networkFsOf(`${root}/missing`, over("nfs")), undefined);
    // This machine's own root is local.
    assert.equal(await networkFsOf(root), undefined);
  });
});
