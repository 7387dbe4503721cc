/**
 * The size rule of ARCHITECTURE.md as code: no function of `src/` over
 * MAX_FUNCTION_LINES (a factory, `create*` returning its methods, over
 * MAX_FACTORY_LINES), no file over MAX_FILE_LINES. Pure over a file's text;
 * the test reads the tree and names what is kept larger, and why.
 */
import ts from "typescript";

/** Longest function, in lines from its first to its last. */
export const MAX_FUNCTION_LINES = 80;
/** Longest factory (`create…` functions that return an object of methods). */
export const MAX_FACTORY_LINES = 150;
/** Longest file, in lines. */
export const MAX_FILE_LINES = 400;

/** One function of a file, named as a reader finds it. */
export interface FunctionSize {
  /** `name`, `Outer.name`, or `name@line` for an anonymous function. */
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) {
    return node.name?.getText(sf);
  }
  if (ts.isPropertyAssignment(node.parent) || ts.isVariableDeclaration(node.parent)) {
    return node.parent.name.getText(sf);
  }
  return undefined;
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) || ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

/** Every function of a module with its length in lines, outermost first. */
export function functionSizes(path: string, text: string): FunctionSize[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: FunctionSize[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node, outer: string[]) => {
    let names = outer;
    if (isFunction(node) && node.body) {
      const line = lineOf(node.getStart(sf));
      const own = nameOf(node, sf) ?? `(anonymous)@${line}`;
      names = [...outer, own];
      out.push({ name: names.join("."), line, lines: lineOf(node.getEnd()) - line + 1 });
    }
    ts.forEachChild(node, (child) => visit(child, names));
  };
  visit(sf, []);
  return out;
}

/** The limit a function is held to: factories get more room for their wiring. */
export function limitOf(f: FunctionSize): number {
  return /^create[A-Z]\w*$/.test(f.name) ? MAX_FACTORY_LINES : MAX_FUNCTION_LINES;
}

/** Lines of a file (a final newline ends the last line, it does not start one). */
export function lineCount(text: string): number {
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}
