/** Answer bodies for the remote backends' tests. */

/** A body that sends `head` and then fails, as a connection reset mid-read does. */
export function resettingBody(head: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent) return c.error(new TypeError("error reading a body from connection: reset"));
      sent = true;
      c.enqueue(new TextEncoder().encode(head));
    },
  });
}
