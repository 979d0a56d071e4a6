import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraphModel, describeType, nodesByName } from '../../src/graph/model.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';

const kitchenSink = loadDefinitionFile(path.join(REPO_ROOT, 'test/fixtures/graph/kitchen-sink.asl.json')).definition;

describe('buildGraphModel', () => {
  const model = buildGraphModel(kitchenSink);
  const byName = nodesByName(model);
  const node = (name: string) => byName.get(name)![0];

  it('has one node per state, plus start and end markers', () => {
    expect(model.nodes.filter((n) => n.kind === 'state')).toHaveLength(13);
    expect(model.nodes.filter((n) => n.kind !== 'state').map((n) => n.id)).toEqual(['start', 'end']);
  });

  it('nests Parallel branches and Map processors (ItemProcessor and legacy Iterator) as groups', () => {
    const fanOut = node('FanOut');
    expect(fanOut.groups).toHaveLength(2);
    const [first, second] = fanOut.groups.map((id) => model.groups.find((group) => group.id === id)!);
    expect(first).toMatchObject({ kind: 'branch', label: 'Branch 1', owner: fanOut.id, startAt: node('ChargeCard').id });
    expect(second.nodes).toEqual([node('PackItems').id]);
    const processor = model.groups.find((group) => group.owner === node('PackItems').id)!;
    expect(processor).toMatchObject({ kind: 'processor', mode: 'INLINE', nodes: [node('PickItem').id, node('LabelItem').id] });
    expect(node('NotifyCourier').group).toBe(model.groups.find((group) => group.owner === node('NotifyCouriers').id)!.id);
    expect(node('PickItem').path).toEqual(['States', 'FanOut', 'Branches', 1, 'States', 'PackItems', 'ItemProcessor', 'States', 'PickItem']);
  });

  it('links start to StartAt and every top-level terminal state to end, but not states ending a branch', () => {
    const toEnd = model.edges.filter((edge) => edge.kind === 'end').map((edge) => edge.from);
    expect(toEnd.sort()).toEqual([node('PaymentDeclined').id, node('Rejected').id, node('Done').id].sort());
    expect(model.edges.find((edge) => edge.kind === 'start')).toMatchObject({ from: 'start', to: node('CheckStock').id });
  });

  it('keeps Retry policies on the state with AWS defaults filled in', () => {
    expect(node('ChargeCard').retry).toEqual([
      { errors: ['Payments.Throttled'], maxAttempts: 5, intervalSeconds: 1, backoffRate: 2 },
      { errors: ['States.ALL'], maxAttempts: 3, intervalSeconds: 1, backoffRate: 2 },
    ]);
  });

  it('labels Choice, Default and Catch edges', () => {
    const from = (name: string) => model.edges.filter((edge) => edge.from === node(name).id);
    expect(from('CheckStock').map((edge) => [edge.kind, edge.label])).toEqual([
      ['choice', '$.stock > 0'],
      ['choice', '$.backorder present && $.tier == "gold"'],
      ['choice', '!$.region ~ "eu-*"'],
      ['default', 'default'],
    ]);
    expect(from('FanOut').find((edge) => edge.kind === 'catch')).toMatchObject({ to: node('PaymentDeclined').id, errors: ['Payments.Declined'] });
  });

  it('describes a state by what a reader needs', () => {
    expect(describeType(node('ChargeCard'))).toBe('Task · λ charge-card');
    expect(describeType(node('PickItem'))).toBe('Task · λ pick-item');
    expect(describeType(node('NotifyCourier'))).toBe('Task · sns:publish');
    expect(describeType(node('PackItems'))).toBe('Map · max 4');
    expect(describeType(node('WaitForRestock'))).toBe('Wait 3600s');
  });

  it('draws what it can of a broken definition and says what is wrong', () => {
    const broken = buildGraphModel({ StartAt: 'Nowhere', States: { A: { Type: 'Pass', Next: 'Missing' } } });
    expect(broken.warnings).toEqual([
      'States.A.Next: `Missing` is not a state in the same scope',
      'StartAt names `Nowhere`, which is not a state',
    ]);
    expect(broken.nodes.map((n) => n.name)).toEqual(['Start', 'A', 'End']);
  });
});
