/** The values of optional config settings that are left out. */

/** The values of optional settings that are left out. */
export const CONFIG_DEFAULTS = {
  listen: "127.0.0.1:8080",
  region: "us-east-1",
  /** 5 GiB, S3's single-PUT limit. */
  maxBodyBytes: 5 * 1024 * 1024 * 1024,
  ownerId: "bucketgate",
  ownerDisplayName: "bucketgate",
  maxSessionDurationSecs: 3600,
  corsAllowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
  corsAllowedHeaders: ["*"],
  corsExposeHeaders: ["ETag", "Content-Range", "Accept-Ranges", "Content-Length", "x-amz-*"],
  corsMaxAgeSecs: 3600,
  maxConcurrentRequests: 1024,
  clientIdleTimeoutSecs: 60,
  /**
   * 32 MiB: the memory uploads of unknown length may hold at once before they spool to disk.
   * With the garbage a burst of them leaves for the collector, 32 uploads of 48 MiB at once
   * stay within idle + 256 MiB on a busy 2-core machine (tests/e2e/upload_memory_test.ts).
   */
  uploadBufferBytes: 32 * 1024 * 1024,
} as const;

/** The default upload limit (5 GiB, S3's single-PUT limit). */
export const DEFAULT_MAX_BODY_BYTES: number = CONFIG_DEFAULTS.maxBodyBytes;
