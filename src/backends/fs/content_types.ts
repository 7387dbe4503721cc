/** The Content-Type of an object that has none stored (a file placed by hand), from its extension. */

const CONTENT_TYPES: Record<string, string> = {
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  json: "application/json",
  csv: "text/csv",
  xml: "application/xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
  pdf: "application/pdf",
  tif: "image/tiff",
  tiff: "image/tiff",
  zip: "application/zip",
  gz: "application/gzip",
  parquet: "application/octet-stream",
};

/** The Content-Type a key's extension suggests, if it is a known one. */
export function guessType(key: string): string | undefined {
  const dot = key.lastIndexOf(".");
  if (dot < 0) return undefined;
  const ext = key.slice(dot + 1).toLowerCase();
  // Own keys only: "x.constructor" must not find Object.prototype's members.
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext] : undefined;
}
