import { describe, expect, it } from 'vitest';
import { meetsConstraints, pickNode, type SwarmNodeInfo } from './placement.js';

const node = (
  ID: string,
  o: { state?: string; availability?: string; role?: string; labels?: Record<string, string> } = {},
): SwarmNodeInfo => ({
  ID,
  Spec: { Role: o.role ?? 'worker', Availability: o.availability ?? 'active', Labels: o.labels ?? {} },
  Description: { Hostname: `host-${ID}`, Platform: { OS: 'linux', Architecture: 'x86_64' } },
  Status: { State: o.state ?? 'ready' },
});
const picked = (p: ReturnType<typeof pickNode>) => ('node' in p ? p.node.ID : p.none);

describe('pickNode', () => {
  it('the ready, active node with the fewest rooms; ties to the lower id', () => {
    const nodes = [node('b'), node('a'), node('c')];
    expect(picked(pickNode(nodes, new Map(), [], 0))).toBe('a');
    expect(
      picked(
        pickNode(
          nodes,
          new Map([
            ['a', 2],
            ['b', 1],
            ['c', 1],
          ]),
          [],
          0,
        ),
      ),
    ).toBe('b');
  });

  it('skips nodes that are down, drained or paused', () => {
    const nodes = [
      node('a', { state: 'down' }),
      node('b', { availability: 'drain' }),
      node('c', { availability: 'pause' }),
      node('d'),
    ];
    expect(picked(pickNode(nodes, new Map([['d', 5]]), [], 0))).toBe('d');
  });

  it('keeps to the constraints and the cap, and says why no node is left', () => {
    const nodes = [node('m', { role: 'manager' }), node('w', { labels: { rooms: 'yes' } })];
    expect(picked(pickNode(nodes, new Map(), ['node.role!=manager'], 0))).toBe('w');
    expect(picked(pickNode(nodes, new Map([['w', 3]]), ['node.labels.rooms==yes'], 3))).toMatch(
      /every eligible swarm node holds 3 rooms already/,
    );
    expect(picked(pickNode(nodes, new Map(), ['node.labels.gpu==yes'], 0))).toMatch(
      /meets the room constraints/,
    );
    expect(picked(pickNode([node('a', { state: 'down' })], new Map(), [], 0))).toMatch(
      /no swarm node is ready/,
    );
  });
});

describe('meetsConstraints', () => {
  it('swarm’s == and != on node and engine attributes, case-insensitive', () => {
    const n = node('x1', { role: 'manager', labels: { zone: 'EU' } });
    expect(meetsConstraints(n, ['node.id==x1', 'node.hostname==host-x1', 'node.role==manager'])).toBe(true);
    expect(meetsConstraints(n, ['node.labels.zone==eu', 'node.platform.os==linux'])).toBe(true);
    expect(meetsConstraints(n, ['node.labels.missing!=yes', 'engine.labels.x!=1'])).toBe(true);
    expect(meetsConstraints(n, ['node.labels.missing==yes'])).toBe(false);
    expect(meetsConstraints(n, ['node.role!=manager'])).toBe(false);
  });
});
