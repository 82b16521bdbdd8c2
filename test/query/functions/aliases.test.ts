import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, series } from './function-harness.js';

describe('alias functions', () => {
  const s = series('servers.web01.cpu.load', [1, 5, 3], 0, 10, 'servers.*.cpu.load');

  it('alias renames and keeps the pathExpression', async () => {
    const [aliased] = await run('alias', [s], 'Web load');
    assert.deepEqual([aliased.name, aliased.pathExpression], ['Web load', 'servers.*.cpu.load']);
  });

  it('aliasByNode picks nodes (negative from the end) and tags, and reads through function names', async () => {
    assert.equal((await run('aliasByNode', [s], 1, -1))[0].name, 'web01.load');
    const wrapped = { ...s, name: 'scale(servers.web01.cpu.load,2)' };
    assert.equal((await run('aliasByNode', [wrapped], 1))[0].name, 'web01');
    const tagged = { ...series('cpu;dc=east', [1]), tags: { dc: 'east', name: 'cpu' } };
    assert.equal((await run('aliasByTags', [tagged], 'dc', 0))[0].name, 'east.cpu');
  });

  it('aliasByMetric keeps the last node of the innermost path', async () => {
    assert.equal((await run('aliasByMetric', [{ ...s, name: 'sumSeries(servers.web01.cpu.load,2)' }]))[0].name, 'load');
  });

  it('aliasSub takes Python regexes and \\1 back-references (Grafana wraps every target so)', async () => {
    assert.equal((await run('aliasSub', [s], '(^.*$)', '\\1 A'))[0].name, 'servers.web01.cpu.load A');
    assert.equal((await run('aliasSub', [s], '^servers\\.(?P<host>\\w+)\\..*', '\\g<host>-$'))[0].name, 'web01-$');
    assert.equal((await run('aliasSub', [s], 'o', '0'))[0].name, 'servers.web01.cpu.l0ad');
  });

  it('legendValue appends aggregates as Python prints them, or unit-formatted', async () => {
    assert.equal((await run('legendValue', [s], 'avg', 'last'))[0].name, 'servers.web01.cpu.load (avg: 3.0) (last: 3.0)');
    const big = series('x', [1500, 2500]);
    assert.equal((await run('legendValue', [big], 'max', 'si'))[0].name, `${'x'.padEnd(20)}${'max'.padEnd(5)}${'2.50K'.padEnd(10)}`);
    assert.equal((await run('legendValue', [series('e', [null])], 'avg'))[0].name, 'e (avg: None)');
  });

  it('cactiStyle aligns Current, Max and Min columns', async () => {
    const [one, two] = await run('cactiStyle', [series('a', [1, 2.5]), series('bb', [null, 10])]);
    assert.equal(one.name, 'a  Current:2.50     Max:2.50     Min:1.00     ');
    assert.equal(two.name, 'bb Current:10.00    Max:10.00    Min:10.00    ');
    assert.equal((await run('cactiStyle', [series('n', [null])]))[0].name, 'n Current:nan     Max:nan     Min:nan     ');
  });
});
