import { LockOutlined, MailOutlined, RobotOutlined } from '@ant-design/icons';
import { Avatar, Button, Flex, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Reply, Ticket, User } from '@/api/types';
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
  /** The ticket itself: its first message opens the thread (what the customer wrote, as they wrote it). */
  opening?: Pick<Ticket, 'content' | 'created_at' | 'requester_id' | 'created_by' | 'channel' | 'attachments'>;
}

/** The conversation, oldest first: the ticket's first message, then every reply (and internal note). */
export function ReplyThread({ ticketId, users, authorName, opening }: ThreadProps) {
  const { t } = useTranslation();
  const replies = useReplies(ticketId);
  const first = opening && (
    <OpeningMessage opening={opening} name={authorName?.(opening.requester_id) ?? users?.get(opening.requester_id)?.name ?? t('common.userN', { id: opening.requester_id })}
      enteredBy={opening.created_by ? users?.get(opening.created_by)?.name ?? t('common.userN', { id: opening.created_by }) : undefined} />
  );
  if (replies.isLoading) return <Flex vertical gap={12}>{first}<Skeleton active avatar paragraph={{ rows: 3 }} /></Flex>;
  if (replies.isError) {
    return <Flex vertical gap={12}>{first}<ErrorState error={replies.error} onRetry={() => void replies.refetch()} title={t('common.thread.loadFailed')} /></Flex>;
  }
  const items = replies.data?.pages.flatMap((page) => page.items) ?? [];
  if (items.length === 0 && !first) return <EmptyState description={t('common.thread.empty')} />;
  return (
    <Flex vertical gap={12} role="list" aria-label={t('common.thread.label')} data-testid="reply-thread">
      {first}
      {items.map((reply) => (
        <ReplyItem key={reply.id} reply={reply} author={users?.get(reply.author_id)} name={authorName?.(reply.author_id)}
          posterName={reply.posted_by ? users?.get(reply.posted_by)?.name : undefined} />
      ))}
      {items.length === 0 && (
        <Typography.Text type="secondary" data-testid="no-replies">{t('common.thread.noAnswerYet')}</Typography.Text>
      )}
      {replies.hasNextPage && (
        <Button onClick={() => void replies.fetchNextPage()} loading={replies.isFetchingNextPage}>{t('common.thread.loadMore')}</Button>
      )}
    </Flex>
  );
}

function Bubble({ testId, tone, children }: { testId: string; tone: 'customer' | 'staff' | 'note'; children: React.ReactNode }) {
  const colours = { customer: ['#d9d9d9', '#595959', '#fafafa'], staff: ['#f0f0f0', '#1677ff', '#fff'], note: ['#ffe58f', '#faad14', '#fffbe6'] }[tone];
  return (
    <div role="listitem" data-testid={testId}
      style={{ padding: 12, borderRadius: 8, border: `1px solid ${colours[0]}`, borderLeft: `4px solid ${colours[1]}`, background: colours[2], minWidth: 0, overflowWrap: 'anywhere' }}>
      {children}
    </div>
  );
}

function OpeningMessage({ opening, name, enteredBy }: { opening: NonNullable<ThreadProps['opening']>; name: string; enteredBy?: string }) {
  const { t } = useTranslation();
  return (
    <Bubble testId="opening-message" tone="customer">
      <Flex gap={8} align="center" wrap>
        <Avatar size="small">{name.charAt(0).toUpperCase()}</Avatar>
        <Typography.Text strong>{enteredBy ? t('common.thread.enteredBy', { author: name, poster: enteredBy }) : name}</Typography.Text>
        <Tag>{t('common.thread.firstMessage')}</Tag>
        {opening.channel === 'email' && <Tag icon={<MailOutlined />}>{t('common.thread.email')}</Tag>}
        <Typography.Text type="secondary" title={formatDateTime(opening.created_at)} style={{ marginLeft: 'auto' }}>
          {formatRelative(opening.created_at)}
        </Typography.Text>
      </Flex>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '8px 0 0' }} data-testid="ticket-content">{opening.content}</Typography.Paragraph>
      <AttachmentList attachments={opening.attachments} />
    </Bubble>
  );
}

function ReplyItem({ reply, author, name: forcedName, posterName }: { reply: Reply; author: User | undefined; name?: string; posterName?: string }) {
  const { t } = useTranslation();
  const pending = reply.id < 0;
  // The AI assistant is a system user, not in the user directory.
  const fallback = reply.origin === 'ai' ? t('common.thread.aiAssistant') : pending ? t('common.thread.you') : t('common.userN', { id: reply.author_id });
  const name = replyAuthorLabel(reply, (reply.origin === 'ai' ? author?.name : forcedName ?? author?.name) ?? fallback, posterName);
  return (
    <div style={{ opacity: pending ? 0.6 : 1 }}>
      <Bubble testId={reply.internal ? 'internal-note' : 'reply'} tone={reply.internal ? 'note' : 'staff'}>
        <Flex gap={8} align="center" wrap>
          <Avatar size="small">{name.charAt(0).toUpperCase()}</Avatar>
          <Typography.Text strong>{name}</Typography.Text>
          {author && <Typography.Text type="secondary">{t(`common.roles.${author.role}`)}</Typography.Text>}
          {reply.internal && <Tag icon={<LockOutlined />} color="warning">{t('common.thread.internalNote')}</Tag>}
          {reply.origin === 'ai' && <Tag icon={<RobotOutlined />} color="geekblue" data-testid="ai-reply-tag">{t('common.thread.aiAnswer')}</Tag>}
          {reply.merged_from && <Tag>{t('common.thread.mergedFrom', { id: reply.merged_from })}</Tag>}
          {reply.hidden_from_requester && <Tag color="purple">{t('common.thread.hiddenFromRequester')}</Tag>}
          <Typography.Text type="secondary" title={formatDateTime(reply.created_at)} style={{ marginLeft: 'auto' }}>
            {pending ? t('common.thread.sending') : formatRelative(reply.created_at)}
          </Typography.Text>
        </Flex>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '8px 0 0' }}>{reply.content}</Typography.Paragraph>
        {reply.origin === 'ai' && (reply.citations?.length ?? 0) > 0 && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="ai-reply-citations">
            {t('common.thread.cited', { sources: reply.citations!.map((c) => c.title ? `${c.title} (${c.source})` : c.source).join(', ') })}
          </Typography.Text>
        )}
        <AttachmentList attachments={reply.attachments} />
      </Bubble>
    </div>
  );
}
