/**
 * The syntax tree of a Graphite target (graphite-web's render/grammar.py). Every node keeps the
 * offset where it starts in the target text, so errors can point at the problem.
 */

/** A metric path or glob (`a.b.*`, `a.{x,y}.c`, `a.b;tag=v`), kept as written. */
export interface PathNode {
  kind: 'path';
  path: string;
  position: number;
}

/** A function call; `a.b|f(x)` is parsed as `f(a.b, x)`. */
export interface CallNode {
  kind: 'call';
  name: string;
  args: Expression[];
  kwargs: KeywordArgument[];
  position: number;
  /** The call's text as written (graphite-web passes `seriesByTag(...)` to the store this way). */
  raw: string;
}

export interface KeywordArgument {
  name: string;
  value: Expression;
  position: number;
}

export interface StringNode {
  kind: 'string';
  /** The text between the quotes, backslashes kept as written (graphite-web does not unescape). */
  value: string;
  position: number;
}

export interface NumberNode {
  kind: 'number';
  value: number;
  /** Written without a fraction or exponent (Python would hold it as an int). */
  integer: boolean;
  position: number;
}

export interface BooleanNode {
  kind: 'boolean';
  value: boolean;
  position: number;
}

export interface NoneNode {
  kind: 'none';
  position: number;
}

export type Expression = PathNode | CallNode | StringNode | NumberNode | BooleanNode | NoneNode;

/** Scalars: what a template variable or a non-series argument can be. */
export type ScalarNode = StringNode | NumberNode | BooleanNode | NoneNode;

export function isScalar(node: Expression): node is ScalarNode {
  return node.kind !== 'path' && node.kind !== 'call';
}
