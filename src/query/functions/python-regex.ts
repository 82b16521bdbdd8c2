import { QueryError } from '../query-error.js';

/**
 * Python `re` patterns and replacements in JavaScript: graphite-web hands user regexes to Python,
 * so `(?P<name>..)`, `(?P=name)`, `\A`, `\Z`, leading inline flags and `\1`/`\g<name>` replacements
 * must keep working (Grafana sends aliasSub(x, "(^.*$)", "\1 A")).
 */
export function pythonRegex(pattern: string, global = false): RegExp {
  let source = pattern;
  let flags = global ? 'g' : '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]) if ('ims'.includes(flag) && !flags.includes(flag)) flags += flag;
  }
  source = source
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\Z/g, '$1$$');
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new QueryError(`bad regular expression '${pattern}': ${(error as Error).message}`);
  }
}

/** A Python re.sub() replacement template as a JavaScript replacement string. */
export function pythonReplacement(template: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '$') {
      out += '$$';
      continue;
    }
    if (c !== '\\' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const next = template[i + 1];
    const digits = /^\d{1,2}/.exec(template.slice(i + 1));
    const named = /^g<(\w+)>/.exec(template.slice(i + 1));
    if (digits) {
      out += `$${digits[0]}`;
      i += digits[0].length;
    } else if (named) {
      out += /^\d+$/.test(named[1]) ? `$${named[1]}` : `$<${named[1]}>`;
      i += named[0].length;
    } else {
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', f: '\f', v: '\v', a: '\x07', b: '\b' };
      // Python keeps unknown ASCII-letter escapes as errors; other characters stay as written.
      out += escapes[next] ?? `\\${next}`;
      i++;
    }
  }
  return out;
}

/** Python's re.sub(pattern, replacement, text). */
export function pythonSub(pattern: string, replacement: string, text: string): string {
  return text.replace(pythonRegex(pattern, true), pythonReplacement(replacement));
}
