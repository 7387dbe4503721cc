/**
 * Condition operators: `String*`, `Numeric*`, `Date*`, `Bool`, `(Not)IpAddress`
 * and `Null`, each with its `…IfExists` form and the `ForAnyValue:` /
 * `ForAllValues:` qualifiers. A policy value is compiled once into a test of
 * one request value; a negated operator (`StringNotEquals`) is its positive
 * test, negated by the caller over all the values (AWS's NOR).
 */
import { inRange, parseIp, parseRange } from "../ip.ts";
import { type ContextKeys, UNRESOLVED, type Unresolved } from "./keys.ts";
import { matchPattern, parsePattern, type Pattern, patternText } from "./wildcard.ts";

/** Tests one request value against one policy value; UNRESOLVED when a variable has no safe value. */
export type ValueTest = (value: string, keys: ContextKeys) => boolean | Unresolved;

/** A compiled policy value, or why it cannot be one. */
type Compiled = ValueTest | { readonly problem: string };

/** The set qualifier of an operator. */
export type Qualifier = "ForAnyValue" | "ForAllValues" | undefined;

/** An operator as written, understood. */
export interface Operator {
  /** As written (`ForAnyValue:StringLikeIfExists`). */
  readonly name: string;
  readonly qualifier: Qualifier;
  readonly ifExists: boolean;
  /** A negated matcher: true when the value matches none of the policy values. */
  readonly negated: boolean;
  /** `Null`: the policy value says whether the key must be absent. */
  readonly isNull: boolean;
  /** Compiles one policy value (a string, number or boolean as JSON gave it). */
  readonly compile: (value: string) => Compiled;
}

const stringTest = (equal: boolean, ignoreCase: boolean) => (v: string): Compiled => {
  const parsed = parsePattern(ignoreCase ? v.toLowerCase() : v, {
    wildcards: !equal,
    variables: true,
  });
  if ("problem" in parsed) return parsed;
  const p: Pattern = parsed.pattern;
  if (!equal) return (value, keys) => matchPattern(p, value, keys);
  return (value, keys) => {
    const want = p.hasVariables ? patternText(p, keys) : p.source;
    if (want === UNRESOLVED) return UNRESOLVED;
    return (ignoreCase ? value.toLowerCase() : value) === want;
  };
};

type Compare = (a: number, b: number) => boolean;
const COMPARISONS: Readonly<Record<string, Compare>> = {
  Equals: (a, b) => a === b,
  NotEquals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** A number as policies write it; undefined when it is none. */
export function readNumber(s: string): number | undefined {
  return NUMBER.test(s.trim()) ? Number(s) : undefined;
}

/** A date as policies write it (ISO 8601, or epoch seconds), in milliseconds. */
export function readDate(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!ISO.test(t)) return undefined;
  const ms = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

const orderedTest = (
  read: (s: string) => number | undefined,
  compare: Compare,
  what: string,
) =>
(v: string): Compiled => {
  const want = read(v);
  if (want === undefined) return { problem: `'${v}' is not ${what}` };
  return (value) => {
    const got = read(value);
    return got !== undefined && compare(got, want);
  };
};

const boolTest = (v: string): Compiled => {
  const want = v.toLowerCase();
  if (want !== "true" && want !== "false") return { problem: `'${v}' is not true or false` };
  return (value) => value.toLowerCase() === want;
};

/** The last address parsed: a request's one source address is tested against many ranges. */
let lastIp: { readonly text: string; readonly bytes: Uint8Array | undefined } = {
  text: "",
  bytes: undefined,
};

function ipBytes(text: string): Uint8Array | undefined {
  if (lastIp.text !== text) lastIp = { text, bytes: parseIp(text) };
  return lastIp.bytes;
}

const ipTest = (v: string): Compiled => {
  const range = parseRange(v);
  if (!range) return { problem: `'${v}' is not an IP address or CIDR range (10.0.0.0/8, ::1/128)` };
  return (value) => {
    const ip = ipBytes(value);
    return ip !== undefined && inRange(ip, range);
  };
};

/** Every base operator: its compiler and whether it is negated. */
const BASES: ReadonlyMap<
  string,
  { readonly compile: Operator["compile"]; readonly negated: boolean }
> = new Map([
  ["StringEquals", { compile: stringTest(true, false), negated: false }],
  ["StringNotEquals", { compile: stringTest(true, false), negated: true }],
  ["StringEqualsIgnoreCase", { compile: stringTest(true, true), negated: false }],
  ["StringNotEqualsIgnoreCase", { compile: stringTest(true, true), negated: true }],
  ["StringLike", { compile: stringTest(false, false), negated: false }],
  ["StringNotLike", { compile: stringTest(false, false), negated: true }],
  ...Object.entries(COMPARISONS).flatMap(([name, compare]) => [
    [`Numeric${name}`, {
      compile: orderedTest(readNumber, compare, "a number"),
      negated: name === "NotEquals",
    }] as const,
    [`Date${name}`, {
      compile: orderedTest(readDate, compare, "an ISO 8601 date or epoch seconds"),
      negated: name === "NotEquals",
    }] as const,
  ]),
  ["Bool", { compile: boolTest, negated: false }],
  ["IpAddress", { compile: ipTest, negated: false }],
  ["NotIpAddress", { compile: ipTest, negated: true }],
  ["Null", { compile: boolTest, negated: false }],
]);

/** The operator names bucketgate knows, without qualifier or IfExists. */
export const OPERATOR_NAMES: readonly string[] = [...BASES.keys()];

/** An operator as written, or a problem naming the known ones. */
export function parseOperator(written: string): Operator | { readonly problem: string } {
  let rest = written;
  let qualifier: Qualifier;
  for (const q of ["ForAnyValue", "ForAllValues"] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith("IfExists");
  const baseName = ifExists ? rest.slice(0, -"IfExists".length) : rest;
  const base = BASES.get(baseName);
  if (!base || (baseName === "Null" && (qualifier !== undefined || ifExists))) {
    return {
      problem: `unknown condition operator '${written}': use ${
        OPERATOR_NAMES.join(", ")
      }, with IfExists or a ForAnyValue:/ForAllValues: qualifier`,
    };
  }
  return {
    name: written,
    qualifier,
    ifExists,
    negated: base.negated,
    isNull: baseName === "Null",
    compile: base.compile,
  };
}
