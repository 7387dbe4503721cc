/**
 * A statement's `Condition` block, compiled and decided. Operators and keys
 * are ANDed; the values of one key are ORed (NORed for a negated operator); a
 * key the request lacks makes a condition false, true for a negated operator
 * or `…IfExists`, as AWS documents. Decisions are three-valued: UNRESOLVED
 * (a key the gateway cannot determine, a variable with no safe value) lets a
 * Deny apply and no Allow.
 */
import { type ContextKeys, knownKey, UNRESOLVED, type Unresolved } from "./keys.ts";
import { type Operator, parseOperator, type ValueTest } from "./operators.ts";
import { isObject, itemPath, joinPath, listOf, type Problems } from "./problems.ts";

/** Three-valued truth: true, false or UNRESOLVED. */
export type Truth = boolean | Unresolved;

/** One operator on one key, with its policy values compiled. */
export interface CompiledCondition {
  readonly operator: Operator;
  /** The key's canonical name (the ContextKeys index). */
  readonly key: string;
  readonly tests: readonly ValueTest[];
  /** `Null` only: whether the key must be absent. */
  readonly mustBeAbsent: boolean;
}

/** Kleene's AND: false wins, then UNRESOLVED. */
export function and3(a: Truth, b: Truth): Truth {
  if (a === false || b === false) return false;
  return a === UNRESOLVED || b === UNRESOLVED ? UNRESOLVED : true;
}

/** Kleene's NOT. */
function not3(a: Truth): Truth {
  return a === UNRESOLVED ? UNRESOLVED : !a;
}

/** Whether any item is true (Kleene's OR over the items). */
function some3<T>(items: readonly T[], f: (item: T) => Truth): Truth {
  let result: Truth = false;
  for (const item of items) {
    const r = f(item);
    if (r === true) return true;
    if (r === UNRESOLVED) result = UNRESOLVED;
  }
  return result;
}

/** Whether every item is true (Kleene's AND over the items). */
function every3<T>(items: readonly T[], f: (item: T) => Truth): Truth {
  return not3(some3(items, (item) => not3(f(item))));
}

/** Decides one condition against the request's keys. */
export function conditionHolds(c: CompiledCondition, keys: ContextKeys): Truth {
  const values = keys.get(c.key);
  if (values === UNRESOLVED) return UNRESOLVED;
  const present = values !== undefined && values.length > 0;
  const op = c.operator;
  if (op.isNull) return present !== c.mustBeAbsent;
  if (!present) {
    if (op.ifExists || op.qualifier === "ForAllValues") return true;
    return op.qualifier === undefined && op.negated;
  }
  if (values.length === 1 && op.qualifier !== "ForAllValues") {
    return matchesOne(c, values[0]!, keys); // the common case: one value, nothing allocated
  }
  const matches = (v: string): Truth => matchesOne(c, v, keys);
  if (op.qualifier === "ForAllValues") return every3(values, matches);
  if (op.qualifier === "ForAnyValue" || !op.negated) return some3(values, matches);
  // A negated operator without qualifier: no value matches any policy value.
  return every3(values, matches);
}

/** Whether one request value matches (for a negated operator: matches none of the policy values). */
function matchesOne(c: CompiledCondition, value: string, keys: ContextKeys): Truth {
  let m: Truth = false;
  for (const test of c.tests) {
    const r = test(value, keys);
    if (r === true) {
      m = true;
      break;
    }
    if (r === UNRESOLVED) m = UNRESOLVED;
  }
  return c.operator.negated ? not3(m) : m;
}

/** Decides a whole block: every condition must hold. */
export function conditionsHold(cs: readonly CompiledCondition[], keys: ContextKeys): Truth {
  let result: Truth = true;
  for (const c of cs) {
    result = and3(result, conditionHolds(c, keys));
    if (result === false) return false;
  }
  return result;
}

/** Compiles a `Condition` block: `{ Operator: { key: value | [values] } }`. */
export function compileConditions(
  raw: unknown,
  path: string,
  problems: Problems,
): CompiledCondition[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) {
    problems.add(path, "must be a mapping of condition operators to { key: values }");
    return [];
  }
  const out: CompiledCondition[] = [];
  for (const [name, block] of Object.entries(raw)) {
    const at = joinPath(path, name);
    const operator = parseOperator(name);
    if ("problem" in operator) {
      problems.add(at, operator.problem);
      continue;
    }
    if (!isObject(block)) {
      problems.add(at, "must be a mapping of condition keys to values");
      continue;
    }
    for (const [written, values] of Object.entries(block)) {
      const c = compileCondition(operator, written, values, joinPath(at, written), problems);
      if (c) out.push(c);
    }
  }
  return out;
}

function compileCondition(
  operator: Operator,
  written: string,
  values: unknown,
  path: string,
  problems: Problems,
): CompiledCondition | undefined {
  const key = knownKey(written);
  if ("problem" in key) {
    problems.add(path, key.problem);
    return undefined;
  }
  const items = listOf(values);
  if (items.length === 0) problems.add(path, "must have at least one value");
  const tests: ValueTest[] = [];
  items.forEach((item, i) => {
    const at = itemPath(path, values, i);
    if (!["string", "number", "boolean"].includes(typeof item)) {
      problems.add(at, "must be a string, number or boolean");
      return;
    }
    const test = operator.compile(String(item));
    if (typeof test === "function") tests.push(test);
    else problems.add(at, test.problem);
  });
  if (operator.isNull && items.length !== 1) {
    problems.add(path, "Null takes one value, true or false");
  }
  if (tests.length !== items.length || items.length === 0) return undefined;
  const mustBeAbsent = operator.isNull && String(items[0]).toLowerCase() === "true";
  return { operator, key: key.key, tests, mustBeAbsent };
}
