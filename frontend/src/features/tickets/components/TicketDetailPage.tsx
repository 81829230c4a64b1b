import { ArrowLeftOutlined, DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Breadcrumb, Button, Card, Col, Descriptions, Flex, Form, Row, Skeleton, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Ticket, TicketPriority } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { ErrorState, NotFoundState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/features/auth/AuthContext';
import { AiClassification } from '@/features/ai/components/AiClassification';
import { AiSuggestionPanel } from '@/features/ai/components/AiSuggestionPanel';
import { useUserDirectory } from '@/features/users/api/get-users';
import { forgetTicket, useDeleteTicket } from '../api/delete-ticket';
import { classificationPollInterval, useTicket } from '../api/get-ticket';
import { useUpdateTicket } from '../api/update-ticket';
import { EditTicketModal } from './EditTicketModal';
import { ReplyForm, type ReplyFormValues } from './ReplyForm';
import { ReplyThread } from './ReplyThread';

export default function TicketDetailPage() {
  const ticketId = Number(useParams().ticketId);
  const valid = Number.isSafeInteger(ticketId) && ticketId > 0;
  const remove = useDeleteTicket();
  // No polling once a delete has started: the ticket would answer 404 before the page is gone.
  const ticket = useTicket(ticketId, valid && !remove.isPending && !remove.isSuccess);
  if (!valid || (ticket.isError && isApiError(ticket.error) && ticket.error.status === 404)) {
    return <NotFoundState what="Ticket" action={<Link to="/tickets"><Button type="primary">Back to tickets</Button></Link>} />;
  }
  if (ticket.isLoading) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (ticket.isError || !ticket.data) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  return <TicketDetail ticket={ticket.data} remove={remove} reload={() => ticket.refetch().then((r) => r.data)} />;
}

interface DetailProps {
  ticket: Ticket;
  remove: ReturnType<typeof useDeleteTicket>;
  reload: () => Promise<Ticket | undefined>;
}

function TicketDetail({ ticket, remove, reload }: DetailProps) {
  const { user } = useAuth();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const directory = useUserDirectory();
  const users = directory.data?.byId;
  const update = useUpdateTicket();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [replyForm] = Form.useForm<ReplyFormValues>();

  const nameOf = (id: number | null) => (id === null ? 'Unassigned' : users?.get(id)?.name ?? `User #${id}`);

  const apply = (changes: { priority?: TicketPriority; tags?: string[] }, what: string) => {
    update.mutate(
      { ticketId: ticket.id, changes, version: ticket.version },
      {
        onSuccess: () => message.success(`${what} applied`),
        onError: (error) => message.error(isApiError(error) && error.status === 409
          ? 'The ticket changed meanwhile; it has been reloaded. Apply again if still needed.'
          : describeError(error)),
      },
    );
  };

  const insertDraft = (draft: string) => {
    replyForm.setFieldsValue({ content: draft, internal: false });
    const box = document.getElementById('reply_content');
    box?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    box?.focus();
    message.info('Draft inserted into the reply. Edit it, then send.');
  };

  const confirmDelete = () => {
    modal.confirm({
      title: `Delete ticket #${ticket.id}?`,
      content: 'The ticket and all its replies will be deleted. This cannot be undone.',
      okText: 'Delete',
      okButtonProps: { danger: true },
      onOk: () =>
        remove.mutateAsync(ticket.id).then(
          ({ finished }) => {
            message.success(finished
              ? `Ticket #${ticket.id} and its replies deleted`
              : `Ticket #${ticket.id} deleted; its long thread is still being removed in the background`);
            navigate('/tickets');
            setTimeout(() => forgetTicket(queryClient, ticket.id), 0);
          },
          (error: unknown) => {
            message.error(describeError(error));
          },
        ),
    });
  };

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/tickets"><ArrowLeftOutlined /> Tickets</Link> }, { title: `#${ticket.id}` }]} />
      <Flex justify="space-between" align="flex-start" gap={16} wrap>
        <div style={{ minWidth: 0, flex: 1 }}>
          <Typography.Title level={2} style={{ margin: 0, wordBreak: 'break-word' }} data-testid="ticket-title">{ticket.title}</Typography.Title>
          <Flex gap={8} align="center" wrap style={{ marginTop: 8 }}>
            <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
            <StatusTag status={ticket.status} />
            <PriorityTag priority={ticket.priority} />
            <TagChips tags={ticket.tags} />
          </Flex>
        </div>
        <Flex gap={8}>
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>Edit</Button>
          <Button danger icon={<DeleteOutlined />} onClick={confirmDelete} loading={remove.isPending}>Delete</Button>
        </Flex>
      </Flex>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card>
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 2, lg: 3 }}
                items={[
                  { key: 'requester', label: 'Requester', children: <Link to={`/users/${ticket.requester_id}`}>{nameOf(ticket.requester_id)}</Link> },
                  { key: 'assignee', label: 'Assignee', children: nameOf(ticket.assignee_id) },
                  { key: 'created', label: 'Created', children: formatDateTime(ticket.created_at) },
                  { key: 'updated', label: 'Updated', children: formatDateTime(ticket.updated_at) },
                  { key: 'version', label: 'Version', children: ticket.version },
                  { key: 'ai', label: 'AI classification', children: <AiClassification ticket={ticket} waiting={classificationPollInterval(ticket) !== false} /> },
                ]}
              />
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 16, marginBottom: 0 }} data-testid="ticket-content">
                {ticket.content}
              </Typography.Paragraph>
            </Card>
            <Card title="Conversation">
              <ReplyThread ticketId={ticket.id} users={users} />
            </Card>
            <Card title="Reply">
              <ReplyForm ticketId={ticket.id} form={replyForm} defaultAuthorId={user?.id ?? ticket.requester_id} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <AiSuggestionPanel
            ticketId={ticket.id}
            currentPriority={ticket.priority}
            currentTags={ticket.tags}
            applying={update.isPending}
            onApplyPriority={(priority) => apply({ priority }, 'Priority')}
            onApplyTags={(tags) => apply({ tags }, 'Tags')}
            onInsertDraft={insertDraft}
          />
        </Col>
      </Row>
      <EditTicketModal ticket={ticket} open={editing} onClose={() => setEditing(false)} onReload={reload} />
    </Flex>
  );
}
