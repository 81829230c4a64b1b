import { LockOutlined, RobotOutlined } from '@ant-design/icons';
import { Avatar, Button, Flex, Skeleton, Tag, Typography } from 'antd';
import type { Reply, User } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useReplies } from '@/api/tickets/get-replies';
import { replyAuthorLabel } from '@/lib/reply-author';
import { AttachmentList } from './AttachmentList';

interface ThreadProps {
  ticketId: number;
  users: Map<number, User> | undefined;
  /** Overrides the author's name (the requester view has no user directory). */
  authorName?: (authorId: number) => string;
}

export function ReplyThread({ ticketId, users, authorName }: ThreadProps) {
  const replies = useReplies(ticketId);
  if (replies.isLoading) return <Skeleton active avatar paragraph={{ rows: 3 }} />;
  if (replies.isError) return <ErrorState error={replies.error} onRetry={() => void replies.refetch()} title="Could not load the replies" />;
  const items = replies.data?.pages.flatMap((page) => page.items) ?? [];
  if (items.length === 0) return <EmptyState description="No replies yet. Write the first one below." />;
  return (
    <Flex vertical gap={12} role="list" aria-label="Replies" data-testid="reply-thread">
      {items.map((reply) => (
        <ReplyItem key={reply.id} reply={reply} author={users?.get(reply.author_id)} name={authorName?.(reply.author_id)}
          posterName={reply.posted_by ? users?.get(reply.posted_by)?.name : undefined} />
      ))}
      {replies.hasNextPage && (
        <Button onClick={() => void replies.fetchNextPage()} loading={replies.isFetchingNextPage}>Load more replies</Button>
      )}
    </Flex>
  );
}

function ReplyItem({ reply, author, name: forcedName, posterName }: { reply: Reply; author: User | undefined; name?: string; posterName?: string }) {
  const pending = reply.id < 0;
  // The AI assistant is a system user, not in the user directory.
  const fallback = reply.origin === 'ai' ? 'AI assistant' : pending ? 'You' : `User #${reply.author_id}`;
  const name = replyAuthorLabel(reply, (reply.origin === 'ai' ? author?.name : forcedName ?? author?.name) ?? fallback, posterName);
  return (
    <div
      role="listitem"
      data-testid={reply.internal ? 'internal-note' : 'reply'}
      style={{
        padding: 12,
        borderRadius: 8,
        border: `1px solid ${reply.internal ? '#ffe58f' : '#f0f0f0'}`,
        borderLeft: `4px solid ${reply.internal ? '#faad14' : '#1677ff'}`,
        background: reply.internal ? '#fffbe6' : '#fff',
        opacity: pending ? 0.6 : 1,
      }}
    >
      <Flex gap={8} align="center" wrap>
        <Avatar size="small">{name.charAt(0).toUpperCase()}</Avatar>
        <Typography.Text strong>{name}</Typography.Text>
        {author && <Typography.Text type="secondary">{author.role}</Typography.Text>}
        {reply.internal && <Tag icon={<LockOutlined />} color="warning">Internal note</Tag>}
        {reply.origin === 'ai' && <Tag icon={<RobotOutlined />} color="geekblue" data-testid="ai-reply-tag">AI answer</Tag>}
        {reply.merged_from && <Tag>From #{reply.merged_from}</Tag>}
        {reply.hidden_from_requester && <Tag color="purple">Another requester&apos;s: not shown to this requester</Tag>}
        <Typography.Text type="secondary" title={formatDateTime(reply.created_at)} style={{ marginLeft: 'auto' }}>
          {pending ? 'sending…' : formatRelative(reply.created_at)}
        </Typography.Text>
      </Flex>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '8px 0 0' }}>{reply.content}</Typography.Paragraph>
      {reply.origin === 'ai' && (reply.citations?.length ?? 0) > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="ai-reply-citations">
          Cited: {reply.citations!.map((c) => c.title ? `${c.title} (${c.source})` : c.source).join(', ')}
        </Typography.Text>
      )}
      <AttachmentList attachments={reply.attachments} />
    </div>
  );
}
