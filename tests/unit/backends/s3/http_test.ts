import assert from "node:assert/strict";
import { release, send, type Transport } from "../../../../src/backends/s3/http.ts";
import { ownSend } from "../../../../src/backends/s3/own_transport.ts";

const TRANSPORTS: readonly (readonly [string, Transport])[] = [["send", send], [
  "ownSend",
  ownSend,
]];

for (const [name, transport] of TRANSPORTS) {
  Deno.test({
    name: `${name}() keeps backend connections alive: streamed uploads and reads reuse one socket`,
    sanitizeResources: false, // the keep-alive pool holds the socket open on purpose
    sanitizeOps: false,
    async fn() {
      const ports: number[] = [];
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        async (req, info) => {
          ports.push(info.remoteAddr.port);
          await req.arrayBuffer();
          return new Response("<ok/>");
        },
      );
      try {
        const url = new URL(`http://127.0.0.1:${server.addr.port}/k`);
        for (let i = 0; i < 3; i++) {
          const body = { kind: "stream" as const, stream: new Blob(["abc"]).stream(), length: 3 };
          await release(
            await transport({ method: "PUT", url, headers: {}, body, timeoutMs: 5000 }),
          );
        }
        for (let i = 0; i < 3; i++) {
          await release(await transport({ method: "GET", url, headers: {}, timeoutMs: 5000 }));
        }
        assert.equal(new Set(ports.slice(0, 3)).size, 1, `uploads: ${ports}`);
        assert.equal(new Set(ports.slice(3)).size, 1, `reads: ${ports}`);
      } finally {
        await server.shutdown();
      }
    },
  });
}
