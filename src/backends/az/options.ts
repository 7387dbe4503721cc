/** The `az` backend's options: parsed at config load (src/config/backend_options/az.ts). */
export type { AzAuth, AzOptions } from "../../config/backend_options/az.ts";
