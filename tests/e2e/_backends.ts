/**
 * The backends every client test runs over: the gateway's standard buckets
 * (public-data, private-uploads, readonly) on `fs`, or on `s3` over moto (one
 * moto bucket of the same name each). A `Rig` is the gateway plus a view of
 * what the backend really stores, so a test checks bytes and keys the same way
 * on both.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createMotoBucket, type Moto, motoMissing, startMoto } from "../_support/moto.ts";
import { filesUnder, type Gateway, type GatewayOptions, startGateway } from "./_gateway.ts";

/** The backends client tests are parametrized over. */
export const BACKENDS = ["fs", "s3"] as const;
/** One of `BACKENDS`. */
export type BackendKind = typeof BACKENDS[number];

/** The gateway's standard buckets. */
export const STANDARD_BUCKETS = ["public-data", "private-uploads", "readonly"] as const;

/** A gateway over one backend, with direct access to that backend. */
export interface Rig {
  readonly gw: Gateway;
  readonly backend: BackendKind;
  /** The emulator's URL (s3: moto, which takes any key), or undefined (fs: `gw.dataDir/<bucket>`). */
  readonly backendEndpoint?: string;
  /** The object's bytes as the backend stores them, or undefined when absent. */
  stored(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** The object as text, as the backend stores it (absent → undefined). */
  storedText(bucket: string, key: string): Promise<string | undefined>;
  /** Every key the backend holds in a bucket, sorted. */
  keys(bucket: string): Promise<string[]>;
  /** Writes an object straight into the backend, bypassing the gateway. */
  seed(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  /** Stops the gateway and the backend's emulator. */
  stop(): Promise<void>;
}

/** Why a backend cannot run here (`s3` needs moto_server), or undefined; under CI=true, throws. */
export async function backendMissing(kind: BackendKind): Promise<string | undefined> {
  return kind === "fs" ? undefined : await motoMissing();
}

/** Whether a backend can run here (`s3` needs moto_server; under CI=true its absence fails). */
export async function backendAvailable(kind: BackendKind): Promise<boolean> {
  return (await backendMissing(kind)) === undefined;
}

/** A backend client tests run over, and why it cannot run here (`skip`, undefined when it can). */
export interface BackendChoice {
  readonly kind: BackendKind;
  /** Whether it can run here (`skip === undefined`). */
  readonly ready: boolean;
  /** Why it cannot run here (`"moto_server not found"`), or undefined. */
  readonly skip: string | undefined;
}

/** Every backend in `BACKENDS`, each with why it cannot run here; under CI=true a missing one throws. */
export async function availableBackends(): Promise<BackendChoice[]> {
  const out: BackendChoice[] = [];
  for (const kind of BACKENDS) {
    const skip = await backendMissing(kind);
    out.push({ kind, ready: skip === undefined, skip });
  }
  return out;
}

/** Starts a gateway whose standard buckets live on `kind`. */
export async function startRig(kind: BackendKind, options: GatewayOptions = {}): Promise<Rig> {
  if (kind === "fs") {
    const gw = await startGateway([], options);
    const path = (bucket: string, key: string) => `${gw.dataDir}/${bucket}/${key}`;
    return {
      gw,
      backend: kind,
      stored: (bucket, key) => Deno.readFile(path(bucket, key)).catch(absent),
      storedText: (bucket, key) => Deno.readTextFile(path(bucket, key)).catch(absent),
      keys: (bucket) => filesUnder(`${gw.dataDir}/${bucket}`),
      async seed(bucket, key, body) {
        const p = path(bucket, key);
        await Deno.mkdir(p.replace(/\/[^/]*$/, ""), { recursive: true });
        await Deno.writeFile(p, typeof body === "string" ? new TextEncoder().encode(body) : body);
      },
      stop: () => gw.stop(),
    };
  }
  const moto: Moto = await startMoto();
  let gw: Gateway;
  try {
    for (const b of STANDARD_BUCKETS) await createMotoBucket(moto.endpoint, b);
    gw = await startGateway([], {
      ...options,
      bucketEntry: (name, anonymous) =>
        `{ name: ${name}, backend_type: s3, anonymous_access: ${anonymous}, backend_options: { endpoint: "${moto.endpoint}", bucket_name: ${name}, region: us-east-1, access_key_id: testing, secret_access_key: testing } }`,
    });
  } catch (e) {
    await moto.stop();
    throw e;
  }
  const direct = new S3Client({
    endpoint: moto.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const get = async (bucket: string, key: string) => {
    try {
      const r = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await r.Body!.transformToByteArray();
    } catch (e) {
      if (e instanceof NoSuchKey) return undefined;
      throw e;
    }
  };
  return {
    gw,
    backend: kind,
    backendEndpoint: moto.endpoint,
    stored: get,
    storedText: async (bucket, key) => {
      const b = await get(bucket, key);
      return b === undefined ? undefined : new TextDecoder().decode(b);
    },
    async keys(bucket) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await direct.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const c of page.Contents ?? []) keys.push(c.Key!);
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async seed(bucket, key, body) {
      await direct.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      direct.destroy();
      try {
        await gw.stop();
      } finally {
        await moto.stop();
      }
    },
  };
}

function absent(e: unknown): undefined {
  if (e instanceof Deno.errors.NotFound) return undefined;
  throw e;
}
