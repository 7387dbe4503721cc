/** `backend_prefix`: added to every key on the way in, stripped from every key on the way out. */
import type {
  Backend,
  ListPage,
  ListPartsOptions,
  ServerSideCopy,
  UploadRef,
  UploadsPage,
} from "./backend.ts";

/** Wraps a backend so clients never see `prefix` (empty or ending in `/`). */
export function prefixed(inner: Backend, prefix: string): Backend {
  if (prefix === "") return inner;
  const add = (k: string) => prefix + k;
  const inUpload = (u: UploadRef): UploadRef => ({ key: add(u.key), uploadId: u.uploadId });
  const strip = (k: string) => (k.startsWith(prefix) ? k.slice(prefix.length) : k);
  const stripPage = (p: ListPage): ListPage => ({
    objects: p.objects.map((o) => ({ ...o, key: strip(o.key) })),
    commonPrefixes: p.commonPrefixes.map(strip),
    isTruncated: p.isTruncated,
    ...(p.nextStartAfter !== undefined ? { nextStartAfter: strip(p.nextStartAfter) } : {}),
  });
  const stripUploads = (p: UploadsPage): UploadsPage => ({
    ...p,
    uploads: p.uploads.map((u) => ({ ...u, key: strip(u.key) })),
    commonPrefixes: p.commonPrefixes.map(strip),
    ...(p.nextKeyMarker !== undefined ? { nextKeyMarker: strip(p.nextKeyMarker) } : {}),
  });
  return {
    head: async (key) => {
      const r = await inner.head(add(key));
      return r.ok ? { ok: true, value: { ...r.value, key } } : r;
    },
    get: async (key, o) => {
      const r = await inner.get(add(key), o);
      return r.ok ? { ok: true, value: { ...r.value, meta: { ...r.value.meta, key } } } : r;
    },
    put: async (key, body, o) => {
      const r = await inner.put(add(key), body, o);
      return r.ok ? { ok: true, value: { ...r.value, key } } : r;
    },
    copy: async (src, dst, o) => {
      const r = await inner.copy(add(src), add(dst), o);
      return r.ok ? { ok: true, value: { ...r.value, key: dst } } : r;
    },
    ...(inner.locate ? { locate: (key: string) => inner.locate!(add(key)) } : {}),
    ...(inner.copyFrom
      ? {
        copyFrom: async (source, dst, o) => {
          const r = await inner.copyFrom!(source, add(dst), o);
          return r.ok ? { ok: true, value: { ...r.value, key: dst } } : r;
        },
      } satisfies Pick<ServerSideCopy, "copyFrom">
      : {}),
    ...(inner.objectParts
      ? { objectParts: (key: string, o: ListPartsOptions) => inner.objectParts!(add(key), o) }
      : {}),
    delete: (key, conditions) => inner.delete(add(key), conditions),
    ...(inner.probe ? { probe: inner.probe } : {}),
    list: async (o) => {
      const r = await inner.list({
        ...o,
        prefix: add(o.prefix),
        ...(o.startAfter !== undefined ? { startAfter: add(o.startAfter) } : {}),
      });
      return r.ok ? { ok: true, value: stripPage(r.value) } : r;
    },
    createMultipartUpload: (key, o) => inner.createMultipartUpload(add(key), o),
    uploadPart: (u, part) => inner.uploadPart(inUpload(u), part),
    completeMultipartUpload: async (u, parts, c, claimed) => {
      const r = await inner.completeMultipartUpload(inUpload(u), parts, c, claimed);
      return r.ok ? { ok: true, value: { ...r.value, key: u.key } } : r;
    },
    abortMultipartUpload: (u) => inner.abortMultipartUpload(inUpload(u)),
    listParts: (u, o) => inner.listParts(inUpload(u), o),
    listMultipartUploads: async (o) => {
      const r = await inner.listMultipartUploads({
        ...o,
        prefix: add(o.prefix),
        ...(o.keyMarker !== undefined ? { keyMarker: add(o.keyMarker) } : {}),
      });
      return r.ok ? { ok: true, value: stripUploads(r.value) } : r;
    },
  };
}
