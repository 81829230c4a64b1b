import { describe, expect, it } from 'vitest';
import { categoryName } from './category';

describe('category names', () => {
  it('turns machine-style labels into words', () => {
    expect(categoryName('orders_delivery')).toBe('Orders delivery');
    expect(categoryName('bug-report')).toBe('Bug report');
    expect(categoryName('billing')).toBe('Billing');
  });

  it('leaves names written for people alone', () => {
    expect(categoryName('Orders & delivery')).toBe('Orders & delivery');
    expect(categoryName('reverted_card_payment?')).toBe('reverted_card_payment?');
  });
});
