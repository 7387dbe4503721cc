/**
 * Patterns of policy documents, compiled once: `*` (any run of characters,
 * `/` included) and `?` (one character), policy variables (`${aws:username}`)
 * and AWS's escapes `${*}`, `${?}`, `${$}` for the literal characters. Matching
 * needs no regular expression and nothing compiled per request: a pattern is a
 * list of tokens, and a variable's value is always matched literally.
 */
import { type ContextKeys, knownKey, UNRESOLVED, type Unresolved, variableValue } from "./keys.ts";

/** Any run of characters. */
export const STAR = 0;
/** Exactly one character. */
export const ONE = 1;

/** One token: a literal run, a wildcard, or a variable (by its canonical key). */
export type Token = string | typeof STAR | typeof ONE | { readonly variable: string };

/** A compiled pattern. */
export interface Pattern {
  /** The text as written, for explaining a decision. */
  readonly source: string;
  readonly tokens: readonly Token[];
  /** Whether a token is a variable (then matching needs the request's keys). */
  readonly hasVariables: boolean;
}

/** What a pattern's text may hold beside literal characters. */
export interface PatternSyntax {
  /** `*` and `?` are wildcards (else literal characters). */
  readonly wildcards: boolean;
  /** `${key}` is a policy variable (else `$`, `{` and `}` are literal). */
  readonly variables: boolean;
}

/** Compiles a pattern's text; a malformed or unknown variable is a problem. */
export function parsePattern(
  text: string,
  syntax: PatternSyntax,
): { readonly pattern: Pattern } | { readonly problem: string } {
  const tokens: Token[] = [];
  let literal = "";
  const flush = () => {
    if (literal !== "") tokens.push(literal);
    literal = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (syntax.variables && c === "$" && text[i + 1] === "{") {
      const end = text.indexOf("}", i);
      if (end < 0) return { problem: `'${text}' has a '\${' without its '}'` };
      const inner = text.slice(i + 2, end);
      i = end;
      if (inner === "*" || inner === "?" || inner === "$") {
        literal += inner;
        continue;
      }
      const key = knownKey(inner.trim());
      if ("problem" in key) return { problem: `policy variable '\${${inner}}': ${key.problem}` };
      flush();
      tokens.push({ variable: key.key });
    } else if (syntax.wildcards && (c === "*" || c === "?")) {
      flush();
      tokens.push(c === "*" ? STAR : ONE);
    } else {
      literal += c;
    }
  }
  flush();
  return { pattern: patternOf(text, tokens) };
}

/** A pattern from tokens built by code (a scope's literal prefix), not parsed from text. */
export function patternOf(source: string, tokens: readonly Token[]): Pattern {
  return { source, tokens, hasVariables: tokens.some((t) => typeof t === "object") };
}

/** The tokens with every variable replaced by its value; UNRESOLVED when one has none safe. */
function resolved(p: Pattern, keys: ContextKeys): readonly Token[] | Unresolved {
  if (!p.hasVariables) return p.tokens;
  const out: Token[] = [];
  for (const t of p.tokens) {
    if (typeof t !== "object") {
      out.push(t);
      continue;
    }
    const value = variableValue(keys, t.variable);
    if (value === UNRESOLVED) return UNRESOLVED;
    out.push(value);
  }
  return out;
}

/** Whether `text` matches the pattern; UNRESOLVED when a variable has no safe value. */
export function matchPattern(p: Pattern, text: string, keys: ContextKeys): boolean | Unresolved {
  const tokens = resolved(p, keys);
  return tokens === UNRESOLVED ? UNRESOLVED : matchTokens(tokens, text);
}

/** The text a pattern stands for when all its variables resolve (for `StringEquals`). */
export function patternText(p: Pattern, keys: ContextKeys): string | Unresolved {
  const tokens = resolved(p, keys);
  if (tokens === UNRESOLVED) return UNRESOLVED;
  return tokens.map((t) => t === STAR ? "*" : t === ONE ? "?" : t).join("");
}

/**
 * Greedy matching with one backtrack point (the last `*`): every other token
 * has a fixed length, so retrying from one character further is complete.
 */
export function matchTokens(tokens: readonly Token[], text: string): boolean {
  let t = 0;
  let pos = 0;
  let starT = -1;
  let starPos = 0;
  while (true) {
    if (t < tokens.length) {
      const token = tokens[t]!;
      if (token === STAR) {
        starT = t++;
        starPos = pos;
        continue;
      }
      if (token === ONE ? pos < text.length : text.startsWith(token as string, pos)) {
        pos += token === ONE ? 1 : (token as string).length;
        t++;
        continue;
      }
    } else if (pos === text.length) {
      return true;
    }
    if (starT < 0 || starPos >= text.length) return false;
    t = starT + 1;
    pos = ++starPos;
  }
}
