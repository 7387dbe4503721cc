/** Upload sizes of the az backend: when a body goes up in one Put Blob, and the block sizes otherwise. */

/** Bodies up to this size (known length) go up in one Put Blob. */
export const MAX_SINGLE_PUT = 256 * 1024 * 1024;
/** Block size of larger uploads of known length (streamed, not buffered). */
export const STREAMED_BLOCK = 100 * 1024 * 1024;
/** Block size of uploads of unknown length (buffered). */
export const BUFFERED_BLOCK = 8 * 1024 * 1024;
/** Largest part of unknown length buffered before it is sent. */
export const MAX_BUFFERED_PART = 64 * 1024 * 1024;

/** The most characters of part checksums kept in a blob's metadata (Azure allows 8 KiB in all). */
export const PART_CHECKSUMS_INLINE = 2048;

/** Upload sizes of the az backend (smaller in tests). */
export interface AzSizes {
  /** Largest body of known length sent in one Put Blob. */
  readonly maxSinglePut: number;
  /** Block size of larger bodies of known length (streamed). */
  readonly streamedBlock: number;
  /** Block size of bodies of unknown length (buffered). */
  readonly bufferedBlock: number;
  /** Part checksums up to this many characters stay in metadata. @default PART_CHECKSUMS_INLINE */
  readonly partChecksumsInline?: number;
}

/** The sizes used outside tests. */
export const DEFAULT_SIZES: AzSizes = {
  maxSinglePut: MAX_SINGLE_PUT,
  streamedBlock: STREAMED_BLOCK,
  bufferedBlock: BUFFERED_BLOCK,
};
