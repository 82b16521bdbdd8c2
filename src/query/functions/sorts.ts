import type { Series } from '../series.js';
import { aggregateSlice } from './agg-funcs.js';
import { aggFuncArg, sortByAggregate } from './filters.js';
import type { ParamSpec, SeriesFunction } from './registry.js';

const seriesList: ParamSpec = { name: 'seriesList', type: 'seriesList', required: true };

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** graphite-web's natural sort key: every run of digits zero-padded to ten places. */
function naturalKey(name: string): string {
  return name.replace(/\d+/g, (digits) => String(Number(digits)).padStart(10, '0'));
}

export const SORT_FUNCTIONS: SeriesFunction[] = [
  {
    name: 'sortBy',
    group: 'Sorting',
    description: 'Sorts the series by an aggregate (average by default), ascending unless reverse is true.',
    params: [seriesList, { name: 'func', type: 'aggFunc', default: 'average' }, { name: 'reverse', type: 'boolean', default: false }],
    run: (_, [list, func, reverse]) => sortByAggregate(list as Series[], aggFuncArg(func as string), reverse as boolean),
  },
  {
    name: 'sortByName',
    group: 'Sorting',
    description: 'Sorts the series by name, alphabetically or naturally (server2 before server11).',
    params: [seriesList, { name: 'natural', type: 'boolean', default: false }, { name: 'reverse', type: 'boolean', default: false }],
    run: (_, [list, natural, reverse]) => {
      const key = natural ? naturalKey : (name: string) => name;
      const sorted = [...(list as Series[])].sort((a, b) => byName(key(a.name), key(b.name)));
      // Python's sort(reverse=True) keeps equal keys in their original order.
      return reverse ? [...(list as Series[])].sort((a, b) => byName(key(b.name), key(a.name))) : sorted;
    },
  },
  {
    name: 'sortByTotal',
    group: 'Sorting',
    description: 'Sorts the series by the sum of their points, largest first.',
    params: [seriesList],
    run: (_, [list]) => sortByAggregate(list as Series[], 'sum', true),
  },
  {
    name: 'sortByMaxima',
    group: 'Sorting',
    description: 'Sorts the series by their maximum, largest first.',
    params: [seriesList],
    run: (_, [list]) => sortByAggregate(list as Series[], 'max', true),
  },
  {
    name: 'sortByMinima',
    group: 'Sorting',
    description: 'Sorts the series with a maximum above 0 by their minimum, smallest first.',
    params: [seriesList],
    run: (_, [list]) =>
      sortByAggregate(
        (list as Series[]).filter((s) => aggregateSlice('max', s.values) > 0),
        'min',
        false,
      ),
  },
];
