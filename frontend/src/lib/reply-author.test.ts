import { describe, expect, it } from 'vitest';
import { replyAuthorLabel } from './reply-author';

describe('reply author label', () => {
  it('names who entered a reply for someone else', () => {
    expect(replyAuthorLabel({ posted_by: 4, posted_by_name: 'Priya' }, 'Alice')).toBe('Alice (entered by Priya)');
    expect(replyAuthorLabel({ posted_by: 4, posted_by_name: 'Priya' }, 'You')).toBe('You (entered by Priya)');
  });

  it('prefers the directory name and falls back to the id', () => {
    expect(replyAuthorLabel({ posted_by: 4, posted_by_name: 'Priya' }, 'Alice', 'Priya Patel')).toBe('Alice (entered by Priya Patel)');
    expect(replyAuthorLabel({ posted_by: 4, posted_by_name: null }, 'Alice')).toBe('Alice (entered by User #4)');
  });

  it('shows the author alone when they posted it themselves', () => {
    expect(replyAuthorLabel({ posted_by: null, posted_by_name: null }, 'Alice')).toBe('Alice');
    expect(replyAuthorLabel({}, 'Alice')).toBe('Alice');
  });
});
