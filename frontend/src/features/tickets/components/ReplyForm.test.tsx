import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form } from 'antd';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, renderWithProviders, ticketFixture, userFixture, userPageFixture, type Schemas } from '@/test/utils';
import { ReplyForm, type ReplyFormValues } from './ReplyForm';

afterEach(() => vi.unstubAllGlobals());

/** The page's part: "Insert into reply" fills the box and marks the reply as started from the AI draft. */
function Harness() {
  const [form] = Form.useForm<ReplyFormValues>();
  return (
    <>
      <button type="button" onClick={() => form.setFieldsValue({ content: 'Draft from the AI', internal: false, from_suggestion: true })}>Insert draft</button>
      <ReplyForm ticketId={7} form={form} defaultAuthorId={1} />
    </>
  );
}

describe('reply form', () => {
  it('sends from_suggestion only for a reply that started from the AI draft', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/users', body: userPageFixture([userFixture(1, 'Ada Admin', 'admin')]) },
      { method: 'POST', path: '/api/tickets/7/replies', body: { id: 1, ticket_id: 7, author_id: 1, content: 'x', internal: false, created_at: '2026-01-01T00:00:00Z' } satisfies Schemas['ReplyOut'] },
      { method: 'GET', path: '/api/tickets/7/replies', body: { items: [], page: 1, page_size: 100, total: null, next_cursor: null } satisfies Schemas['PageOf_ReplyOut'] },
      { method: 'GET', path: '/api/tickets/7', body: ticketFixture() },
      { method: 'GET', path: '/api/tickets/7/events', body: { items: [], page: 1, page_size: 50, total: null, next_cursor: null } satisfies Schemas['PageOf_EventOut'] },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.click(screen.getByRole('button', { name: 'Insert draft' }));
    await user.click(screen.getByRole('button', { name: /Send reply/ }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    await user.type(screen.getByLabelText('Reply'), 'Typed by hand');
    await user.click(screen.getByRole('button', { name: /Send reply/ }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    const posts = calls.filter((c) => c.method === 'POST').map((c) => c.body as Record<string, unknown>);
    expect(posts[0]).toMatchObject({ content: 'Draft from the AI', from_suggestion: true });
    expect(posts[1]).toMatchObject({ content: 'Typed by hand' });
    expect(posts[1]).not.toHaveProperty('from_suggestion');
  });
});
