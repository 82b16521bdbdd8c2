/**
 * carbon-aggregator's aggregation-rules.conf: one rule a line,
 *
 *   output_template (frequency) = method input_pattern
 *   out.<pool>.qps (60) = sum web.<pool>.*.qps
 *
 * `#` comments and blank lines are skipped. As in carbon's rules.py, the input pattern is split on
 * dots: `<field>` captures one node's text, `<<field>>` captures one or more whole nodes, a node
 * that is just `*` matches one non-empty node and `*` inside a node matches any run of non-dot
 * characters; the pattern must match the whole name. Unlike carbon, other characters are literal
 * (carbon passes them to its regex engine unescaped), and `<<field>>` matches lazily, so when two
 * multi-node captures compete the first takes as few nodes as it can. The output template may
 * use each captured field as `<field>` (or `<<field>>`); a field the input does not capture is an
 * error here rather than a failure at run time. Methods: sum, avg, min, max, count and the
 * percentiles p50, p75, p80, p90, p95, p99, p999 (linear interpolation between closest ranks).
 */

export const AGGREGATION_METHODS = ['sum', 'avg', 'min', 'max', 'count', 'p50', 'p75', 'p80', 'p90', 'p95', 'p99', 'p999'] as const;
export type AggregationMethod = (typeof AGGREGATION_METHODS)[number];

/** Fraction of each percentile method. */
export const PERCENTILE_OF: Partial<Record<AggregationMethod, number>> = {
  p50: 0.5,
  p75: 0.75,
  p80: 0.8,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
};

export interface AggregationRule {
  /** 1-based line in the rules file (1 for a rule parsed on its own). */
  line: number;
  outputTemplate: string;
  /** Seconds per output point. */
  frequency: number;
  method: AggregationMethod;
  inputPattern: string;
  /** Anchored regex for the input pattern, one group per captured field, in `fields` order. */
  regex: RegExp;
  fields: readonly string[];
  /** Output template split around fields: literal, field index, literal, field index, ... literal. */
  template: readonly (string | number)[];
}

/** A rule that does not parse; the message names the file and line. */
export class AggregationRulesError extends Error {
  override name = 'AggregationRulesError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a whole rules file; the first bad line throws. */
export function parseAggregationRules(text: string, source = 'aggregation-rules.conf'): AggregationRule[] {
  const rules: AggregationRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    rules.push(parseAggregationRule(line, i + 1, source));
  });
  return rules;
}

const DEFINITION = /^(\S+)\s+\((\S*)\)\s*=\s*(\S+)\s+(\S+)$/;
const CAPTURE = /<<([^<>]*)>>|<([^<>]*)>/g;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses one rule definition. */
export function parseAggregationRule(definition: string, line = 1, source = 'aggregation-rules.conf'): AggregationRule {
  const fail = (problem: string): never => {
    throw new AggregationRulesError(line, `${source} line ${line}: ${problem}: ${definition.trim()}`);
  };
  const match = DEFINITION.exec(definition.trim());
  if (!match) return fail('expected "output_template (frequency) = method input_pattern"');
  const [, outputTemplate, frequencyText, methodText, inputPattern] = match;
  const frequency = Number(frequencyText);
  if (!/^\d+$/.test(frequencyText) || !(frequency >= 1)) fail(`frequency must be a whole number of seconds >= 1, got '(${frequencyText})'`);
  if (!(AGGREGATION_METHODS as readonly string[]).includes(methodText)) {
    fail(`unknown method '${methodText}' (expected one of ${AGGREGATION_METHODS.join(', ')})`);
  }

  const fields: string[] = [];
  const nodes = inputPattern.split('.').map((node) => {
    if (node === '') fail('empty node in the input pattern');
    if (node === '*') return '[^.]+';
    let regex = '';
    let at = 0;
    for (const capture of node.matchAll(CAPTURE)) {
      regex += literal(node.slice(at, capture.index));
      const multiNode = capture[1] !== undefined;
      const name = capture[1] ?? capture[2];
      if (!FIELD_NAME.test(name)) fail(`bad field name '${name}'`);
      if (fields.includes(name)) fail(`field '${name}' is captured twice`);
      fields.push(name);
      regex += multiNode ? '(.+?)' : '([^.]+)';
      at = capture.index + capture[0].length;
    }
    regex += literal(node.slice(at));
    return regex;
  });
  const regex = new RegExp(`^${nodes.join('\\.')}$`);

  const template: (string | number)[] = [];
  let at = 0;
  for (const use of outputTemplate.matchAll(CAPTURE)) {
    const name = use[1] ?? use[2];
    const index = fields.indexOf(name);
    if (index < 0) fail(`output field '${name}' is not captured by the input pattern`);
    template.push(outputTemplate.slice(at, use.index), index);
    at = use.index + use[0].length;
  }
  template.push(outputTemplate.slice(at));

  return { line, outputTemplate, frequency, method: methodText as AggregationMethod, inputPattern, regex, fields, template };
}

/** Output name a rule gives this series name, or null when the rule does not apply. */
export function matchRule(rule: AggregationRule, name: string): string | null {
  const match = rule.regex.exec(name);
  if (!match) return null;
  let out = '';
  for (const part of rule.template) out += typeof part === 'number' ? match[part + 1] : part;
  return out;
}

/** Regex for literal pattern text; `*` inside a node matches any run of non-dot characters. */
function literal(text: string): string {
  return text
    .split('*')
    .map((piece) => piece.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('[^.]*');
}
