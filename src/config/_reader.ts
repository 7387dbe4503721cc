/**
 * Reads typed values out of a parsed YAML document while collecting problems,
 * each with its path and the line and column of the node at fault.
 *
 * String scalars are interpolated here (`${VAR}`), after parsing, so a value
 * from the environment never becomes YAML structure. A typed field (boolean,
 * integer) also accepts a string that came from a `${...}` reference, such as
 * `anonymous_access: "${PUBLIC:-false}"`.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type YAMLMap,
} from "yaml";
import { joinPath } from "../iam/problems.ts";
import { didYouMean } from "./_suggest.ts";
import { type EnvLookup, interpolate } from "./interpolate.ts";
import type { ConfigProblem } from "./types.ts";

/** Joins a path and a key (`buckets[0]` + `name` → `buckets[0].name`): one rule for the config and its policy documents. */
export { joinPath };

/** A value read from the document, with its path and the node it came from. */
export interface Item<T> {
  readonly value: T;
  readonly path: string;
  /** The YAML node, for the line and column of a later problem. */
  readonly node: unknown;
}

/** The known keys of one mapping, after its unknown keys were reported. */
export class Fields {
  /** The mapping node. */
  readonly node: YAMLMap;
  /** The mapping's path (`""` for the document root). */
  readonly path: string;
  readonly #values: Map<string, { readonly key: unknown; readonly value: unknown }>;

  constructor(
    node: YAMLMap,
    path: string,
    values: Map<string, { readonly key: unknown; readonly value: unknown }>,
  ) {
    this.node = node;
    this.path = path;
    this.#values = values;
  }

  /** The path of one key of this mapping. */
  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** The (alias-resolved) value node of a key; `undefined` when absent or null. */
  get(key: string): unknown {
    const v = this.#values.get(key)?.value;
    return v === undefined || v === null || isNull(v) ? undefined : v;
  }

  /** The node to point at for a key: its value (even a null one), its key, else the mapping. */
  site(key: string): unknown {
    const entry = this.#values.get(key);
    return entry?.value ?? entry?.key ?? this.node;
  }
}

/** Whether a node is an explicit or empty YAML null (`key:` or `key: ~`). */
function isNull(node: unknown): boolean {
  return isScalar(node) && node.value === null;
}

function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "boolean") return `the boolean ${v}`;
    if (typeof v === "number") return `the number ${node.source ?? v}`;
    if (typeof v === "string") return `the string '${v}'`;
  }
  return "an unsupported value";
}

const ISO_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;
const YAML_INT = /^[-+]?[0-9]+$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** Collects problems while reading typed values from one document. */
export class Reader {
  /** Every problem found so far, in the order found. */
  readonly problems: ConfigProblem[] = [];
  readonly #lines: LineCounter;
  readonly #doc: Document;
  readonly #env: EnvLookup;

  constructor(doc: Document, lines: LineCounter, env: EnvLookup) {
    this.#doc = doc;
    this.#lines = lines;
    this.#env = env;
  }

  /** Records a problem at `path`, located at `node` when it has a position. */
  problem(path: string, message: string, node?: unknown): void {
    const start = (node as { range?: readonly number[] } | undefined)?.range?.[0];
    if (start === undefined) {
      this.problems.push({ path, message });
      return;
    }
    const { line, col } = this.#lines.linePos(start);
    this.problems.push({ path, message, line, column: col });
  }

  /** Follows an alias (`*name`) to its anchored node. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  /** A mapping's known keys; reports unknown keys (with a suggestion) and non-mappings. */
  mapping(raw: unknown, path: string, keys: readonly string[]): Fields | undefined {
    const node = this.resolve(raw);
    if (!isMap(node)) {
      const what = path === "" ? "the config must be a mapping of settings" : "must be a mapping";
      this.problem(path, `${what} (${keys.join(", ")}), not ${describe(node)}`, node);
      return undefined;
    }
    const values = new Map<string, { key: unknown; value: unknown }>();
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      if (!isScalar(keyNode) || typeof keyNode.value !== "string") {
        this.problem(path, "keys must be plain strings", keyNode ?? node);
        continue;
      }
      const key = keyNode.value;
      if (!keys.includes(key)) {
        this.problem(joinPath(path, key), `unknown key${didYouMean(key, keys)}`, keyNode);
        continue;
      }
      values.set(key, { key: keyNode, value: this.resolve(pair.value) ?? null });
    }
    return new Fields(node, path, values);
  }

  /** A scalar as a string, interpolated; numbers keep their source text (`1.10`). */
  text(raw: unknown, path: string): string | undefined {
    const node = this.resolve(raw);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "string") return this.#interpolate(v, path, node)?.value;
      if (typeof v === "number" || typeof v === "bigint") return node.source ?? String(v);
    }
    this.problem(path, `must be a string, not ${describe(node)}`, node);
    return undefined;
  }

  /**
   * A string field; `undefined` when absent (a problem if `required`) or
   * invalid. The empty string is a problem unless `allowEmpty`.
   */
  string(
    f: Fields,
    key: string,
    options: { readonly required?: boolean; readonly allowEmpty?: boolean } = {},
  ): Item<string> | undefined {
    const node = f.get(key);
    const path = f.at(key);
    if (node === undefined) {
      if (options.required) this.problem(path, "required", f.site(key));
      return undefined;
    }
    const value = this.text(node, path);
    if (value === undefined) return undefined;
    if (value === "" && !options.allowEmpty) {
      this.problem(path, "must not be empty", node);
      return undefined;
    }
    return { value, path, node };
  }

  /** A boolean field: `fallback` when absent; required (explicit) when no fallback. */
  boolean(f: Fields, key: string, fallback?: boolean): boolean | undefined {
    const node = f.get(key);
    if (node === undefined) {
      if (fallback === undefined) {
        this.problem(f.at(key), "required: true or false", f.site(key));
      }
      return fallback;
    }
    if (isScalar(node)) {
      if (typeof node.value === "boolean") return node.value;
      if (typeof node.value === "string") {
        const r = this.#interpolate(node.value, f.at(key), node);
        if (r === undefined) return fallback;
        if (r.substituted && (r.value === "true" || r.value === "false")) {
          return r.value === "true";
        }
      }
    }
    this.problem(f.at(key), `must be true or false, not ${describe(node)}`, node);
    return fallback;
  }

  /** An integer field within [min, max]; `fallback` when absent. */
  integer(f: Fields, key: string, bounds: { fallback: number; min: number; max: number }): number {
    const node = f.get(key);
    if (node === undefined) return bounds.fallback;
    let v: unknown = isScalar(node) ? node.value : undefined;
    if (typeof v === "string") {
      const r = this.#interpolate(v, f.at(key), node);
      if (r === undefined) return bounds.fallback;
      if (r.substituted && YAML_INT.test(r.value.trim())) v = Number(r.value.trim());
    }
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < bounds.min || v > bounds.max) {
      const range = bounds.max === Number.MAX_SAFE_INTEGER
        ? `an integer of at least ${bounds.min}`
        : `an integer from ${bounds.min} to ${bounds.max}`;
      this.problem(f.at(key), `must be ${range}, not ${describe(node)}`, node);
      return bounds.fallback;
    }
    return v;
  }

  /**
   * The items of a list field; `[]` when absent and optional. `undefined` when
   * it is not a list, or absent and required (`required` is then the message).
   */
  list(f: Fields, key: string, required?: string): Item<unknown>[] | undefined {
    const node = f.get(key);
    if (node === undefined) {
      if (required === undefined) return [];
      this.problem(f.at(key), required, f.site(key));
      return undefined;
    }
    if (!isSeq(node)) {
      this.problem(f.at(key), `must be a list, not ${describe(node)}`, node);
      return undefined;
    }
    return node.items.map((item, i) => {
      const resolved = this.resolve(item);
      return { value: resolved, path: `${f.at(key)}[${i}]`, node: resolved };
    });
  }

  /** A list of strings (items that are not strings are reported and skipped). */
  strings(f: Fields, key: string, required?: string): Item<string>[] | undefined {
    const items = this.list(f, key, required);
    if (items === undefined) return undefined;
    const out: Item<string>[] = [];
    for (const item of items) {
      const value = this.text(item.node, item.path);
      if (value !== undefined) out.push({ value, path: item.path, node: item.node });
    }
    return out;
  }

  /** An ISO 8601 date or date-time (a YAML timestamp or a string); `undefined` when absent. */
  date(f: Fields, key: string): Item<Date> | undefined {
    const node = f.get(key);
    if (node === undefined) return undefined;
    const path = f.at(key);
    if (isScalar(node) && node.value instanceof Date) {
      return { value: node.value, path, node };
    }
    const s = isScalar(node) && typeof node.value === "string"
      ? this.#interpolate(node.value, path, node)?.value
      : "";
    if (s === undefined) return undefined;
    const d = parseIsoDate(s.trim());
    if (d === undefined) {
      this.problem(
        path,
        `must be an ISO 8601 date (2026-01-01) or date-time with a zone (2026-01-01T00:00:00Z), not ${
          describe(node)
        }`,
        node,
      );
      return undefined;
    }
    return { value: d, path, node };
  }

  /**
   * Any subtree as plain data (null-prototype objects, arrays, scalars), with
   * strings interpolated. An unquoted scalar that held a `${...}` reference is
   * then read as YAML would read the result (`true`, `42`); quote it to keep a string.
   */
  plain(raw: unknown, path: string, open: Set<unknown> = new Set()): unknown {
    const node = this.resolve(raw);
    if (isScalar(node)) {
      if (typeof node.value !== "string") return node.value;
      const r = this.#interpolate(node.value, path, node);
      if (r === undefined) return "";
      return r.substituted && node.type === "PLAIN" ? plainScalar(r.value) : r.value;
    }
    if (open.has(node)) {
      this.problem(path, "an alias refers to a collection that contains it", node);
      return null;
    }
    if (isSeq(node)) {
      open.add(node);
      const out = node.items.map((item, i) => this.plain(item, `${path}[${i}]`, open));
      open.delete(node);
      return out;
    }
    if (isMap(node)) {
      open.add(node);
      const out: Record<string, unknown> = Object.create(null);
      for (const pair of node.items) {
        const keyNode = this.resolve(pair.key);
        if (!isScalar(keyNode) || typeof keyNode.value !== "string") {
          this.problem(path, "keys must be plain strings", keyNode ?? node);
          continue;
        }
        out[keyNode.value] = this.plain(pair.value, joinPath(path, keyNode.value), open);
      }
      open.delete(node);
      return out;
    }
    return null;
  }

  /** The node at a path below `root` (`a.b[2]`), or the deepest one that exists. */
  locate(root: unknown, relative: string): unknown {
    let node = this.resolve(root);
    for (const part of relative.split(/\.|(?=\[)/).filter((p) => p !== "")) {
      const index = /^\[(\d+)\]$/.exec(part);
      let next: unknown;
      if (index && isSeq(node)) next = node.items[Number(index[1])];
      else if (!index && isMap(node)) next = node.get(part, true);
      if (next === undefined || next === null) return node;
      node = this.resolve(next);
    }
    return node;
  }

  #interpolate(
    text: string,
    path: string,
    node: unknown,
  ): { value: string; substituted: boolean } | undefined {
    const r = interpolate(text, this.#env);
    for (const message of r.problems) this.problem(path, message, node);
    return r.problems.length > 0 ? undefined : r;
  }
}

/** Parses a strict ISO 8601 date, or date-time with a zone; `undefined` if invalid. */
export function parseIsoDate(s: string): Date | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const zone = m[3] === undefined || /^[Zz]$/.test(m[3])
    ? "Z"
    : m[3].length === 3
    ? `${m[3]}:00`
    : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const d = new Date(m[2] === undefined ? `${m[1]}T00:00:00Z` : `${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject calendar overflow such as 2026-02-30 (Date would roll it over).
  if (m[2] === undefined && d.toISOString().slice(0, 10) !== m[1]) return undefined;
  return d;
}

/** Reads text the way YAML's core schema reads a plain scalar's booleans and numbers. */
function plainScalar(s: string): unknown {
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (YAML_INT.test(s) || YAML_FLOAT.test(s)) {
    const n = Number(s);
    if (Number.isFinite(n)) return n;
  }
  return s;
}
