import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationRulesError, matchRule, parseAggregationRule, parseAggregationRules } from '../../src/scale/aggregation-rules.js';

test('parses the issue example and maps host series to the pool output', () => {
  const rule = parseAggregationRule('out.<pool>.qps (60) = sum web.<pool>.*.qps');
  assert.equal(rule.frequency, 60);
  assert.equal(rule.method, 'sum');
  assert.deepEqual(rule.fields, ['pool']);
  assert.equal(matchRule(rule, 'web.pool1.host-007.qps'), 'out.pool1.qps');
  assert.equal(matchRule(rule, 'web.pool1.host-007.qps.extra'), null);
  assert.equal(matchRule(rule, 'web.pool1.qps'), null, '* needs one whole node');
  assert.equal(matchRule(rule, 'web.pool1..qps'), null);
  assert.equal(matchRule(rule, 'xweb.pool1.h.qps'), null, 'anchored at the start');
});

test('<<field>> captures several nodes, dots included', () => {
  const rule = parseAggregationRule('<env>.applications.<app>.all.<app_metric> (60) = sum <env>.applications.<app>.*.<<app_metric>>');
  assert.equal(matchRule(rule, 'prod.applications.apache.www01.requests'), 'prod.applications.apache.all.requests');
  assert.equal(matchRule(rule, 'prod.applications.apache.www01.requests.get.200'), 'prod.applications.apache.all.requests.get.200');
  assert.equal(matchRule(rule, 'prod.applications.apache.www01'), null);

  // Two multi-node captures: the first takes as few nodes as it can.
  const two = parseAggregationRule('<<a>>.x.<<b>> (10) = avg <<a>>.*.<<b>>');
  assert.equal(matchRule(two, 'p.q.host.r.s'), 'p.x.host.r.s');
  // <<field>> in the output is the same as <field>.
  assert.equal(matchRule(parseAggregationRule('<<a>>.all (10) = sum <<a>>.*'), 'a.b.c'), 'a.b.all');
});

test('captures and wildcards inside a node, other characters literal', () => {
  const rule = parseAggregationRule('stats.<service>.latency (60) = avg app-<service>-*.lat+ms');
  assert.equal(matchRule(rule, 'app-api-03.lat+ms'), 'stats.api.latency');
  assert.equal(matchRule(rule, 'app-api-.lat+ms'), 'stats.api.latency', '* inside a node may match nothing');
  assert.equal(matchRule(rule, 'app-api-03.lattms'), null, '+ is literal');
  assert.equal(matchRule(parseAggregationRule('a (60) = sum x.y'), 'xzy'), null, '. is a node separator only');
});

test('p99 does not catch p999 (carbon PR 120)', () => {
  const rules = parseAggregationRules('aggregated.hist.p99 (10) = avg hosts.*.hist.p99\naggregated.hist.p999 (10) = avg hosts.*.hist.p999\n');
  assert.equal(matchRule(rules[0], 'hosts.a.hist.p999'), null);
  assert.equal(matchRule(rules[1], 'hosts.a.hist.p999'), 'aggregated.hist.p999');
});

test('a rules file skips comments and blank lines and keeps line numbers', () => {
  const rules = parseAggregationRules(
    ['# pools', '', 'out.<pool>.qps (60) = sum web.<pool>.*.qps', '   # indented comment', 'out.<pool>.p99 (60) = p99 web.<pool>.*.latency', ''].join(
      '\n',
    ),
  );
  assert.deepEqual(
    rules.map((r) => [r.line, r.method, r.frequency]),
    [
      [3, 'sum', 60],
      [5, 'p99', 60],
    ],
  );
  for (const method of ['sum', 'avg', 'min', 'max', 'count', 'p50', 'p75', 'p80', 'p90', 'p95', 'p99', 'p999']) {
    assert.equal(parseAggregationRule(`o (1) = ${method} i`).method, method);
  }
});

test('a bad rule is an error naming the file, the line and the problem', () => {
  const cases: [string, RegExp][] = [
    ['out.x (60) = median web.*.x', /unknown method 'median' \(expected one of sum, avg/],
    ['out.x (abc) = sum web.*.x', /frequency must be a whole number of seconds >= 1, got '\(abc\)'/],
    ['out.x (0) = sum web.*.x', /frequency must be a whole number/],
    ['out.x 60 = sum web.*.x', /expected "output_template \(frequency\) = method input_pattern"/],
    ['out.x (60) sum web.*.x', /expected "output_template/],
    ['out.x (60) = sum web.*.x extra', /expected "output_template/],
    ['out.<host>.x (60) = sum web.*.x', /output field 'host' is not captured by the input pattern/],
    ['out.<a>.x (60) = sum web.<a>.<a>', /field 'a' is captured twice/],
    ['out.x (60) = sum web..x', /empty node/],
    ['out.x (60) = sum web.<a-b>.x', /bad field name 'a-b'/],
  ];
  for (const [definition, message] of cases) {
    const text = `# header\nok (60) = sum a.*\n${definition}\n`;
    assert.throws(
      () => parseAggregationRules(text, 'conf/aggregation-rules.conf'),
      (err: unknown) =>
        err instanceof AggregationRulesError &&
        err.line === 3 &&
        err.message.startsWith('conf/aggregation-rules.conf line 3: ') &&
        message.test(err.message) &&
        err.message.endsWith(definition),
      definition,
    );
  }
});
