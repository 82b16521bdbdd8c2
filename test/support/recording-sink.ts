import type { CarbonSink } from '../../src/ingest/carbon-plaintext-parser.js';

/** A carbon sink that hands out handles in first-seen order and reports each point with its name. */
export function recordingSink(onPoint: (name: string, value: number, timestamp: number) => void): CarbonSink {
  const names: string[] = [];
  const handles = new Map<string, number>();
  const sink: CarbonSink = {
    epoch: 0,
    newSeries: (name) => sink.seriesOf(name),
    seriesOf(name) {
      let handle = handles.get(name);
      if (handle === undefined) {
        handle = names.length;
        handles.set(name, handle);
        names.push(name);
      }
      return handle;
    },
    point(series, value, timestamp) {
      onPoint(names[series], value, timestamp);
    },
  };
  return sink;
}
