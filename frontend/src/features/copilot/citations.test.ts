import { describe, expect, it } from 'vitest';
import { citationNumber, linkCitations, relevancePercent, replyText, sourceHref } from './citations';

describe('citations', () => {
  it('links the markers of sources the answer was given, and leaves others as text', () => {
    const text = linkCitations('Reset it from the sign-in page [1]. See also [3] and [link](https://x.test) [2][1].', [{ n: 1 }, { n: 2 }]);
    expect(text).toBe('Reset it from the sign-in page [\\[1\\]](#cite-1). See also [3] and [link](https://x.test) [\\[2\\]](#cite-2)[\\[1\\]](#cite-1).');
    expect(citationNumber('#cite-2')).toBe(2);
    expect(citationNumber('https://example.com/#cite-2')).toBeUndefined();
  });

  it('points a KB source at the KB page and a ticket source at the ticket', () => {
    expect(sourceHref({ kind: 'kb', source: 'faq/vpn guide.md', ticket_id: null, excerpt: '## VPN\n\n**Reset** the token.' }))
      .toBe('/kb?source=faq%2Fvpn+guide.md&q=VPN+Reset+the+token.');
    expect(sourceHref({ kind: 'ticket', source: null, ticket_id: 12, excerpt: 'Refunded.' })).toBe('/tickets/12');
  });

  it('turns an answer into reply text without markers, emphasis or headings', () => {
    expect(replyText('## Steps\n\n**Open** the sign-in page [1].\n\n\n- Choose "Forgot password" [2]')).toBe(
      'Steps\n\nOpen the sign-in page.\n\n- Choose "Forgot password"',
    );
  });

  it('shows relevance as a whole percentage', () => {
    expect(relevancePercent(0.7349)).toBe(73);
    expect(relevancePercent(1.2)).toBe(100);
  });
});
