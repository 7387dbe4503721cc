/**
 * The memory that uploads of unknown length may hold together while they are
 * gathered to learn their length (`upload_buffer_bytes`): one budget shared by
 * every request of a process, taken a chunk at a time and given back as the
 * chunks are sent. An upload that finds no room spools to disk instead
 * (gathered_body.ts), so none waits for another.
 */

/** A shared budget of bytes held in memory. */
export interface UploadBuffer {
  /** Most bytes held at once; a config reload may change it. */
  limit: number;
  /** Bytes held now. */
  readonly held: number;
  /** Takes `bytes` when they fit under the limit; false (nothing taken) when not. */
  take(bytes: number): boolean;
  /** Gives back bytes taken before. */
  give(bytes: number): void;
}

/** Creates a budget of `limit` bytes, nothing held. */
export function createUploadBuffer(limit: number): UploadBuffer {
  let held = 0;
  return {
    limit,
    get held() {
      return held;
    },
    take(bytes) {
      if (held + bytes > this.limit) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
  };
}
