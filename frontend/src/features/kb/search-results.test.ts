import { describe, expect, it } from 'vitest';
import { byMatch, hitDocument, matchPercent } from './search-results';

describe('KB search results', () => {
  it('shows the match as a percentage and orders by it, closest first', () => {
    const hits = [{ id: 'a', distance: 0.531 }, { id: 'b', distance: 0.2 }, { id: 'c', distance: 0.531 }, { id: 'd', distance: 1.4 }];
    expect(byMatch(hits).map((h) => h.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(hits.map(matchPercent)).toEqual([47, 80, 47, 0]);
  });

  it('names the hit by its document', () => {
    expect(hitDocument({ id: 'x-1', metadata: { source: 'vpn.md', title: 'VPN' } })).toEqual({ title: 'VPN', source: 'vpn.md' });
    expect(hitDocument({ id: 'x-1', metadata: {} })).toEqual({ title: null, source: 'x-1' });
  });
});
