/** Running a test with a transport of src/transport that is closed afterwards. */
import { createTransport, type Transport } from "../../src/transport/mod.ts";

/** Runs `run` with a new transport of options `o`, closing it whatever happens. */
export async function withTransport(
  o: Parameters<typeof createTransport>[0],
  run: (t: Transport) => Promise<void>,
): Promise<void> {
  const t = createTransport(o);
  try {
    await run(t);
  } finally {
    t.close();
  }
}
