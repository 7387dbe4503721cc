/** The s3 backend's options: parsed at config load (src/config/backend_options/s3.ts). */
export type { S3Options } from "../../config/backend_options/s3.ts";
