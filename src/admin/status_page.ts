/**
 * The status page (`/` of the admin listener): one small HTML document with
 * its style inline and its chart an inline SVG drawn here, so it needs no
 * script, no framework and no outside asset. Every name is escaped (they come
 * from the config, but a page never trusts that). Each number carries a
 * `data-metric` attribute naming what it shows, for tests and scrapers.
 */
import type { MinuteSlot, TopEntry } from "./recent.ts";
import type { Status } from "./status.ts";

/** `s` safe in HTML text and in a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A byte count for people: `1.5 MiB`. */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024, i++);
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

const num = (metric: string, value: number, shown = String(value)) =>
  `<span data-metric="${escapeHtml(metric)}" data-value="${value}">${escapeHtml(shown)}</span>`;

const CHART_W = 600, CHART_H = 120;

/** The last hour as an SVG bar chart: requests per minute, errors over them in red. */
export function chartSvg(minutes: readonly MinuteSlot[], nowMs: number): string {
  const now = Math.floor(nowMs / 60_000);
  const peak = Math.max(1, ...minutes.map((m) => m.requests));
  const bar = CHART_W / 60;
  const rects = minutes.map((m) => {
    const x = (59 - (now - m.minute)) * bar;
    const h = (m.requests / peak) * (CHART_H - 4);
    const e = ((m.clientErrors + m.serverErrors) / peak) * (CHART_H - 4);
    const t = new Date(m.minute * 60_000).toISOString().slice(11, 16);
    return `<rect class="req" x="${x.toFixed(1)}" y="${(CHART_H - h).toFixed(1)}" width="${
      (bar - 1).toFixed(1)
    }" height="${h.toFixed(1)}"><title>${t} UTC: ${m.requests} requests</title></rect>` +
      (e > 0
        ? `<rect class="err" x="${x.toFixed(1)}" y="${(CHART_H - e).toFixed(1)}" width="${
          (bar - 1).toFixed(1)
        }" height="${e.toFixed(1)}"/>`
        : "");
  });
  return `<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_W} ${CHART_H}" ` +
    `width="${CHART_W}" height="${CHART_H}" role="img" aria-label="requests per minute, last hour">` +
    `<rect class="bg" width="${CHART_W}" height="${CHART_H}"/>${rects.join("")}</svg>` +
    `<p class="note">peak ${peak} requests a minute; red: 4xx and 5xx</p>`;
}

function topTable(id: string, title: string, rows: readonly TopEntry[]): string {
  const body = rows.length === 0
    ? `<tr><td colspan="3">no bytes in the last hour</td></tr>`
    : rows.map((r) =>
      `<tr><td>${escapeHtml(r.name || "(no bucket)")}</td><td>${
        num(`${id}.in`, r.in, humanBytes(r.in))
      }</td><td>${num(`${id}.out`, r.out, humanBytes(r.out))}</td></tr>`
    ).join("");
  return `<section><h2>${escapeHtml(title)}</h2><table id="${id}">` +
    `<tr><th>name</th><th>in</th><th>out</th></tr>${body}</table></section>`;
}

function bucketsSection(s: Status): string {
  const rows = s.buckets.map((b) =>
    `<tr><td>${escapeHtml(b.name)}</td><td class="${b.ready ? "ok" : "bad"}">${
      b.ready ? "answers" : "does not answer"
    }</td></tr>`
  ).join("");
  return `<section><h2>Buckets</h2><p>${s.ready ? "ready" : "not ready"}</p>` +
    `<table id="buckets"><tr><th>bucket</th><th>backend</th></tr>${rows}</table></section>`;
}

function principalsSection(s: Status): string {
  const rows = s.principals.map((p) => {
    const key = `principal.${p.kind}:${p.principal}`;
    return `<tr><td>${escapeHtml(p.kind)}</td><td>${escapeHtml(p.principal)}</td><td>${
      num(`${key}.requests`, p.requests)
    }</td><td>${num(`${key}.bytesIn`, p.bytesIn)}</td><td>${
      num(`${key}.bytesOut`, p.bytesOut)
    }</td></tr>`;
  }).join("");
  return `<section><h2>Principals since start</h2><table id="principals"><tr><th>kind</th>` +
    `<th>principal</th><th>requests</th><th>bytes in</th><th>bytes out</th></tr>${rows}</table></section>`;
}

function quotasSection(s: Status): string {
  if (s.quotas.length === 0) {
    return `<section><h2>Quotas</h2><p id="quotas">no quotas configured</p></section>`;
  }
  const rows = s.quotas.map((q) => {
    const key = `quota.${q.rule}.${q.measure}.${q.window}`;
    return `<tr><td>${escapeHtml(q.rule)}</td><td>${escapeHtml(q.subject)}</td><td>${
      escapeHtml(q.measure)
    }</td><td>${escapeHtml(q.window)}</td><td>${num(`${key}.used`, q.used)} / ${
      num(`${key}.limit`, q.limit)
    }</td><td>${escapeHtml(q.resetsAt)}</td></tr>`;
  }).join("");
  return `<section><h2>Quotas</h2><table id="quotas"><tr><th>rule</th><th>on</th>` +
    `<th>counts</th><th>window</th><th>used / limit</th><th>resets</th></tr>${rows}</table></section>`;
}

function totalsSection(s: Status): string {
  const t = s.totals, r = s.lastHour.rates;
  return `<section><h2>Since start</h2><p>` +
    `${num("requests", t.requests)} requests, ${num("clientErrors", t.clientErrors)} 4xx, ` +
    `${num("serverErrors", t.serverErrors)} 5xx; ${num("bytesIn", t.bytesIn)} bytes in, ` +
    `${num("bytesOut", t.bytesOut)} bytes out; ${num("inFlight", s.inFlight)} in flight</p>` +
    `<p>last 5 minutes: ${num("rate.requests", r.requests, r.requests.toFixed(2))} requests/s, ` +
    `${num("rate.errors", r.errors, r.errors.toFixed(2))} errors/s</p></section>`;
}

const STYLE = "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}" +
  "table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}" +
  ".ok{color:#176c2c}.bad{color:#b00020;font-weight:bold}.bg{fill:#f4f6f8}.req{fill:#3b6fd8}" +
  ".err{fill:#d8343b}.note{color:#666;font-size:12px}";

/** The status page's HTML. */
export function renderStatusPage(s: Status, nowMs: number): string {
  const scope = s.workers > 1 ? `summed over ${s.workers} workers` : "one process";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<title>bucketgate status</title><style>${STYLE}</style></head><body>` +
    `<h1>bucketgate status</h1><p class="note">${escapeHtml(s.generatedAt)}, ${scope}; ` +
    `<a href="/status.json">JSON</a>, <a href="/metrics">metrics</a></p>` +
    totalsSection(s) +
    `<section><h2>Requests per minute, last hour</h2>${
      chartSvg(s.lastHour.minutes, nowMs)
    }</section>` +
    topTable("top-principals", "Top principals by bytes, last hour", s.lastHour.topPrincipals) +
    topTable("top-buckets", "Top buckets by bytes, last hour", s.lastHour.topBuckets) +
    bucketsSection(s) + principalsSection(s) + quotasSection(s) + `</body></html>`;
}
