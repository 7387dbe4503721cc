/**
 * What to do with the unread body of a request answered early (a 403 before
 * an upload was read): a client that sends the whole body before it reads the
 * answer would otherwise hang. Small bodies are drained; large ones are
 * cancelled and the connection closed.
 */

/** Bodies up to this size are read and dropped so the connection can be kept. */
export const DRAIN_LIMIT = 1024 * 1024;

/** Disposes of an unread body; true when the connection should be closed. */
export async function discardBody(req: Request): Promise<boolean> {
  if (!req.body) return false;
  // A body a handler started on may have been left half-read: do not reuse the connection.
  if (req.bodyUsed) return true;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (!(declared <= DRAIN_LIMIT)) {
    await req.body.cancel().catch(() => {});
    return true;
  }
  try {
    const reader = req.body.getReader();
    let seen = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      seen += value.byteLength;
      if (seen > DRAIN_LIMIT) {
        await reader.cancel();
        return true;
      }
    }
  } catch {
    return true;
  }
}
