import { QueryError } from '../query-error.js';
import { newSeries, type Series } from '../series.js';
import { constantLine } from './combine.js';
import { dateSeconds } from './interval.js';
import { formatG } from './python-format.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

/**
 * Graph-styling functions: accepted so dashboards built for graphite-web's PNG renderer keep
 * working, and they leave the data unchanged (stacked does not stack). Those graphite-web renames
 * are renamed the same way, so legends read the same.
 */

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

function style(name: string, params: ParamSpec[], description: string, rename?: (s: Series, args: unknown[]) => string): SeriesFunction {
  return {
    name,
    group: 'Graph',
    description,
    params: [seriesList, ...params],
    run: (_, [list, ...args]) => (rename ? (list as Series[]).map((s) => ({ ...s, name: rename(s, args) })) : (list as Series[])),
  };
}

export const STYLE_FUNCTIONS: SeriesFunction[] = [
  style('alpha', [{ name: 'alpha', type: 'float', required: true }], 'Sets the transparency of the series in graphs (0 to 1).'),
  style('color', [{ name: 'theColor', type: 'string', required: true }], 'Sets the color of the series in graphs.'),
  style('lineWidth', [{ name: 'width', type: 'float', required: true }], 'Sets the line width of the series in graphs.'),
  style('dashed', [{ name: 'dashLength', type: 'integer', default: 5 }], 'Draws the series with a dashed line.', (s, [length]) => `dashed(${s.name}, ${formatG(length as number)})`),
  style('secondYAxis', [], 'Draws the series on the second Y axis.', (s) => `secondYAxis(${s.name})`),
  style('drawAsInfinite', [], 'Draws a vertical line where the value is above zero.', (s) => `drawAsInfinite(${s.name})`),
  style('stacked', [{ name: 'stack', type: 'string' }], 'Draws the series stacked (graphs only; the data is left unstacked).', (s, [stack]) => (stack ? s.name : `stacked(${s.name})`)),
  {
    name: 'areaBetween',
    group: 'Graph',
    description: 'Draws the area between exactly two series (graphs only).',
    params: [seriesList],
    run: (_, [list]) => {
      const pair = list as Series[];
      if (pair.length !== 2) throw new QueryError(`areaBetween series argument must reference exactly 2 series (got ${pair.length})`);
      const name = `areaBetween(${pair[1].pathExpression})`;
      return pair.map((s) => ({ ...s, name }));
    },
  },
  {
    name: 'threshold',
    group: 'Graph',
    description: 'A horizontal line at the given value, optionally labelled (and colored in graphs).',
    params: [{ name: 'value', type: 'float', required: true }, { name: 'label', type: 'string' }, { name: 'color', type: 'string' }],
    run: (context, [value, label]) => {
      const line = constantLine(context, value as number);
      return [label ? { ...line, name: label as string } : line];
    },
  },
  {
    name: 'verticalLine',
    group: 'Graph',
    description: "A vertical line at the time ts (any from/until form, e.g. '-5min'), optionally labelled (and colored in graphs); ts must lie within the request's range.",
    params: [{ name: 'ts', type: 'date', required: true }, { name: 'label', type: 'string' }, { name: 'color', type: 'string' }],
    run: (context, [ts, label]) => {
      const at = dateSeconds(ts as string | number, context.now);
      if (at < context.from) throw new QueryError(`verticalLine(): timestamp ${at} exists before start of range`);
      if (at > context.until) throw new QueryError(`verticalLine(): timestamp ${at} exists after end of range`);
      // graphite-web names the series by its label (None without one); drawn as infinite in graphs.
      const name = (label as string | null) ?? '';
      return [newSeries(name, at, at, 1, new Float64Array([1, 1]), context.xFilesFactor)];
    },
  },
];
