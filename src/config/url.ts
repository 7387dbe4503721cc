/** Checks shared by the remote backends' options. */

/** Whether a value is an http(s) URL, as every `endpoint` option must be. */
export function isHttpUrl(value: unknown): boolean {
  try {
    const u = new URL(String(value));
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
