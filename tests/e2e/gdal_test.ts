/**
 * GDAL (`gdalinfo`, `ogrinfo`) reading a GeoTIFF, GeoJSON and a shapefile
 * through `/vsis3/` against the real gateway, anonymous and signed, on every
 * backend. The fixtures are made here: an ASCII grid and a GeoJSON the test
 * writes, turned into a tiled GeoTIFF and a shapefile by gdal_translate and
 * ogr2ogr.
 */
import assert from "node:assert/strict";
import { availableBackends, type Rig, startRig } from "./_backends.ts";
import { DEV, run, signedFetch } from "./_gateway.ts";
import { clientTest, commandVersion } from "./compat/record.ts";
import { firstReason, missingCommand } from "../_support/tools.ts";

/** Why GDAL's tools cannot run here; under CI=true, throws. */
const noGdal = await missingCommand("gdalinfo", "ogrinfo", "gdal_translate", "ogr2ogr");

/** A 512×512 ASCII grid with a gradient, so the GeoTIFF has several tiles and a known checksum. */
function asciiGrid(): string {
  const n = 512;
  const rows = [
    `ncols ${n}`,
    `nrows ${n}`,
    "xllcorner 10.0",
    "yllcorner 45.0",
    "cellsize 0.001",
    "NODATA_value -1",
  ];
  for (let y = 0; y < n; y++) {
    rows.push(Array.from({ length: n }, (_, x) => (x * 7 + y * 3) % 251).join(" "));
  }
  return rows.join("\n") + "\n";
}

const GEOJSON = JSON.stringify({
  type: "FeatureCollection",
  features: [
    ["Bern", 7.447, 46.948],
    ["Basel", 7.589, 47.559],
    ["Zürich", 8.541, 47.376],
  ].map(([name, x, y]) => ({
    type: "Feature",
    properties: { name },
    geometry: { type: "Point", coordinates: [x, y] },
  })),
});

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Makes the fixtures in `dir`: dem.tif, points.geojson and points.{shp,shx,dbf,prj,cpg}. */
async function makeFixtures(dir: string): Promise<string[]> {
  await Deno.writeTextFile(`${dir}/dem.asc`, asciiGrid());
  ok(
    await run("gdal_translate", [
      "-q",
      "-of",
      "GTiff",
      "-ot",
      "Byte",
      "-a_srs",
      "EPSG:4326",
      "-co",
      "TILED=YES",
      "-co",
      "BLOCKXSIZE=128",
      "-co",
      "BLOCKYSIZE=128",
      `${dir}/dem.asc`,
      `${dir}/dem.tif`,
    ]),
    "gdal_translate",
  );
  await Deno.writeTextFile(`${dir}/points.geojson`, GEOJSON);
  ok(
    await run("ogr2ogr", [
      "-f",
      "ESRI Shapefile",
      "-lco",
      "ENCODING=UTF-8",
      `${dir}/shp/points.shp`,
      `${dir}/points.geojson`,
    ]),
    "ogr2ogr",
  );
  const shp: string[] = [];
  for await (const e of Deno.readDir(`${dir}/shp`)) shp.push(`shp/${e.name}`);
  assert.ok(shp.length >= 3, `a shapefile has .shp, .shx and .dbf: ${shp}`);
  return ["dem.tif", "points.geojson", ...shp.sort()];
}

/** Runs a GDAL command against the gateway: anonymous (`AWS_NO_SIGN_REQUEST`) or signed. */
function gdal(rig: Rig, home: string, signed: boolean, cmd: string, args: string[]) {
  return run(cmd, args, {
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home,
      AWS_S3_ENDPOINT: `127.0.0.1:${rig.gw.port}`,
      AWS_HTTPS: "NO",
      AWS_VIRTUAL_HOSTING: "FALSE",
      AWS_REGION: "us-east-1",
      // No retries: a failure shows at once, not after GDAL's backoff.
      GDAL_HTTP_MAX_RETRY: "0",
      ...(signed
        ? { AWS_ACCESS_KEY_ID: DEV.id, AWS_SECRET_ACCESS_KEY: DEV.secret }
        : { AWS_NO_SIGN_REQUEST: "YES" }),
    },
  });
}

/** Access-log lines of ranged reads (206) of a key, once there is one (or 0 after 5 s). */
async function rangedReads(rig: Rig, path: string): Promise<number> {
  const re = new RegExp(`GET ${path.replace(/[.]/g, "\\.")} 206 `, "g");
  await rig.gw.waitForLog(new RegExp(re.source)).catch(() => "");
  return [...rig.gw.logs().matchAll(re)].length;
}

for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "GDAL",
    backend: kind,
    name: "gdalinfo and ogrinfo under /vsis3/, anonymous and signed, with ranged reads",
    skip: firstReason(noGdal, skip),
    version: () => commandVersion("gdalinfo", ["--version"], /GDAL ([^,\s]+)/),
    async fn() {
      const rig = await startRig(kind);
      const dir = `${rig.gw.dataDir}/fixtures`;
      try {
        await Deno.mkdir(`${dir}/shp`, { recursive: true });
        const files = await makeFixtures(dir);
        const local = ok(await run("gdalinfo", ["-checksum", `${dir}/dem.tif`]), "local gdalinfo");
        const checksum = /Checksum=(\d+)/.exec(local)?.[1];
        assert.ok(checksum, local);
        for (const bucket of ["public-data", "private-uploads"]) {
          for (const f of files) {
            const body = await Deno.readFile(`${dir}/${f}`);
            const r = await signedFetch(rig.gw, "PUT", `/${bucket}/gdal/${f}`, { body });
            await r.body?.cancel();
            assert.equal(r.status, 200, `PUT ${bucket}/gdal/${f}`);
          }
        }
        const home = `${rig.gw.dataDir}/gdal-home`;
        await Deno.mkdir(home);

        // Anonymous, on the anonymous bucket.
        const info = ok(
          await gdal(rig, home, false, "gdalinfo", [
            "-checksum",
            "/vsis3/public-data/gdal/dem.tif",
          ]),
          "anonymous gdalinfo",
        );
        assert.match(info, /Driver: GTiff/);
        assert.match(info, /Size is 512, 512/);
        assert.match(info, /Block=128x128/);
        assert.match(info, /WGS 84/);
        assert.equal(
          /Checksum=(\d+)/.exec(info)?.[1],
          checksum,
          "the same pixels as the local file",
        );
        assert.ok(
          (await rangedReads(rig, "/public-data/gdal/dem.tif")) >= 1,
          `GDAL read the GeoTIFF in ranges:\n${rig.gw.logs().slice(-3000)}`,
        );
        const geojson = ok(
          await gdal(rig, home, false, "ogrinfo", [
            "-ro",
            "-al",
            "-so",
            "/vsis3/public-data/gdal/points.geojson",
          ]),
          "anonymous ogrinfo geojson",
        );
        assert.match(geojson, /Feature Count: 3/);
        const shp = ok(
          await gdal(rig, home, false, "ogrinfo", [
            "-ro",
            "-al",
            "/vsis3/public-data/gdal/shp/points.shp",
          ]),
          "anonymous ogrinfo shapefile",
        );
        assert.match(shp, /Feature Count: 3/);
        assert.match(shp, /name \(String\) = Zürich/);
        assert.match(shp, /POINT \(8\.541 47\.376\)/);
        assert.ok(
          (await rangedReads(rig, "/public-data/gdal/shp/points.dbf")) >= 1,
          "ranged .dbf reads",
        );
        await rig.gw.waitForLog(/GET \/public-data 200 /); // GDAL listed the directory

        // Anonymous on the private bucket is refused; signed works.
        const refused = await gdal(rig, home, false, "gdalinfo", [
          "/vsis3/private-uploads/gdal/dem.tif",
        ]);
        assert.notEqual(refused.code, 0, "anonymous read of a private bucket");
        await rig.gw.waitForLog(/GET \/private-uploads\/gdal\/dem\.tif 403 /);
        const signed = ok(
          await gdal(rig, home, true, "gdalinfo", [
            "-checksum",
            "/vsis3/private-uploads/gdal/dem.tif",
          ]),
          "signed gdalinfo",
        );
        assert.equal(/Checksum=(\d+)/.exec(signed)?.[1], checksum);
        assert.ok(
          (await rangedReads(rig, "/private-uploads/gdal/dem.tif")) >= 1,
          "signed ranged reads",
        );
        const signedShp = ok(
          await gdal(rig, home, true, "ogrinfo", [
            "-ro",
            "-al",
            "/vsis3/private-uploads/gdal/shp/points.shp",
          ]),
          "signed ogrinfo shapefile",
        );
        assert.match(signedShp, /Feature Count: 3/);
        assert.match(signedShp, /name \(String\) = Bern/);
        const signedJson = ok(
          await gdal(rig, home, true, "ogrinfo", [
            "-ro",
            "-al",
            "-so",
            "/vsis3/private-uploads/gdal/points.geojson",
          ]),
          "signed ogrinfo geojson",
        );
        assert.match(signedJson, /Feature Count: 3/);
      } finally {
        await rig.stop();
      }
    },
  });
}
