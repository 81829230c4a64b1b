import { describe, expect, it } from 'vitest';
import { pageTitle } from './page-title';

describe('pageTitle', () => {
  it('puts the page before the product', () => {
    expect(pageTitle('#12 Refund not received', 'Help desk')).toBe('#12 Refund not received · Help desk');
  });
  it('is the product alone while the page has no title', () => {
    expect(pageTitle(undefined, 'Help desk')).toBe('Help desk');
    expect(pageTitle('', 'Help desk')).toBe('Help desk');
  });
});
