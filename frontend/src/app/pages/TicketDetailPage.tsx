import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, MailOutlined, MergeCellsOutlined, UserAddOutlined } from '@ant-design/icons';
import { AttachmentList } from '@/components/tickets/AttachmentList';
import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Flex, Form, Row, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Ticket, TicketUpdate } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { ErrorState, NotFoundState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { AiClassification } from '@/features/ai/components/AiClassification';
import { AiDecisionCard } from '@/features/ai/components/AiDecisionCard';
import { AiSuggestionPanel } from '@/features/ai/components/AiSuggestionPanel';
import { CopilotButton } from '@/features/copilot/components/CopilotDrawer';
import { useLabels } from '@/features/ai/api/labels';
import { SlaChip } from '@/components/sla/SlaChip';
import { SlaPanel } from '@/components/sla/SlaPanel';
import { useUserDirectory } from '@/api/users/get-users';
import { AssigneeSelect } from '@/components/users/AssigneeSelect';
import { forgetTicket, useDeleteTicket } from '@/api/tickets/delete-ticket';
import { classificationPollInterval, useTicket } from '@/api/tickets/get-ticket';
import { useUpdateTicket } from '@/api/tickets/update-ticket';
import { CsatCard } from '@/features/tickets/components/CsatCard';
import { EditTicketModal } from '@/features/tickets/components/EditTicketModal';
import { MergeTicketModal } from '@/features/tickets/components/MergeTicketModal';
import { ReplyForm, type ReplyFormValues } from '@/features/tickets/components/ReplyForm';
import { ReplyThread } from '@/components/tickets/ReplyThread';
import { TicketTimeline } from '@/features/tickets/components/TicketTimeline';

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
  const [merging, setMerging] = useState(false);
  const [replyForm] = Form.useForm<ReplyFormValues>();
  const labels = useLabels();

  const nameOf = (id: number | null) => (id === null ? 'Unassigned' : users?.get(id)?.name ?? `User #${id}`);

  const apply = (changes: Omit<TicketUpdate, 'version'>, what: string) => {
    update.mutate(
      { ticketId: ticket.id, changes, version: ticket.version },
      {
        onSuccess: () => message.success(what),
        onError: (error) => message.error(isApiError(error) && error.status === 409
          ? 'The ticket changed meanwhile; it has been reloaded. Apply again if still needed.'
          : describeError(error)),
      },
    );
  };

  const insertDraft = (draft: string) => {
    replyForm.setFieldsValue({ content: draft, internal: false, from_suggestion: true });
    const box = document.getElementById('reply_content');
    box?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    box?.focus();
    message.info('Draft inserted into the reply. Edit it, then send.');
  };

  const insertCopilotAnswer = (text: string) => {
    replyForm.setFieldsValue({ content: text, internal: false });
    document.getElementById('reply_content')?.focus();
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
            <SlaChip ticket={ticket} />
            <TagChips tags={ticket.tags} />
            {ticket.channel === 'email' && <Tag icon={<MailOutlined />} data-testid="channel-email">E-mail</Tag>}
          </Flex>
        </div>
        <Flex gap={8} wrap>
          <CopilotButton ticketId={ticket.id} onInsert={insertCopilotAnswer} />
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>Edit</Button>
          <Button icon={<MergeCellsOutlined />} onClick={() => setMerging(true)} disabled={Boolean(ticket.merged_into)}>Merge</Button>
          <Button danger icon={<DeleteOutlined />} onClick={confirmDelete} loading={remove.isPending}>Delete</Button>
        </Flex>
      </Flex>

      {ticket.merged_into && (
        <Alert
          type="info"
          showIcon
          role="status"
          data-testid="merged-banner"
          title={<span>Merged into <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link></span>}
          description="This ticket was a duplicate: it is closed and its replies moved to the surviving ticket. Continue there."
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  { key: 'requester', label: 'Requester', children: <><Link to={`/users/${ticket.requester_id}`}>{nameOf(ticket.requester_id)}</Link>{ticket.created_by ? ` (entered by ${nameOf(ticket.created_by)})` : ''}</> },
                  {
                    key: 'assignee',
                    label: 'Assignee',
                    children: (
                      <Space wrap size={4}>
                        <AssigneeSelect
                          aria-label="Assignee"
                          value={ticket.assignee_id}
                          meId={user?.id}
                          loading={update.isPending && update.variables?.changes.assignee_id !== undefined}
                          onChange={(assignee) => apply({ assignee_id: assignee }, assignee === null ? 'Unassigned' : `Assigned to ${nameOf(assignee)}`)}
                          style={{ minWidth: 200 }}
                        />
                        {user && ticket.assignee_id !== user.id && (
                          <Button size="small" type="link" icon={<UserAddOutlined />} onClick={() => apply({ assignee_id: user.id }, 'Assigned to you')}>Assign to me</Button>
                        )}
                      </Space>
                    ),
                  },
                  {
                    key: 'category',
                    label: 'Category',
                    children: (
                      <Select<string>
                        aria-label="Category"
                        value={ticket.category ?? undefined}
                        placeholder="Not set"
                        allowClear
                        size="small"
                        style={{ minWidth: 160 }}
                        loading={labels.isLoading}
                        onChange={(category) => apply({ category: category ?? null }, category ? `Category set to ${category}` : 'Category cleared')}
                        options={[...new Set([...(labels.data ?? []).map((l) => l.name), ...(ticket.category ? [ticket.category] : [])])].map((name) => ({ value: name, label: name }))}
                        notFoundContent={labels.isError ? 'Could not load the categories' : 'No categories yet (add them on the AI page)'}
                      />
                    ),
                  },
                  { key: 'created', label: 'Created', children: formatDateTime(ticket.created_at) },
                  { key: 'updated', label: 'Updated', children: formatDateTime(ticket.updated_at) },
                  { key: 'version', label: 'Version', children: ticket.version },
                  {
                    key: 'ai',
                    label: 'AI classification',
                    children: (
                      <Space wrap size={4}>
                        <AiClassification ticket={ticket} waiting={classificationPollInterval(ticket) !== false} />
                        {ticket.ai_category && !ticket.ai_out_of_scope && ticket.ai_category !== ticket.category && (
                          <Button size="small" type="link" onClick={() => apply({ category: ticket.ai_category }, `Category set to ${ticket.ai_category}`)}>Use as category</Button>
                        )}
                      </Space>
                    ),
                  },
                ]}
              />
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 16, marginBottom: 0 }} data-testid="ticket-content">
                {ticket.content}
              </Typography.Paragraph>
              <AttachmentList attachments={ticket.attachments} />
            </Card>
            <Card title="Conversation">
              <ReplyThread ticketId={ticket.id} users={users} />
            </Card>
            {ticket.merged_into ? (
              <Card title="Reply">
                <Typography.Text type="secondary">
                  This ticket was merged: reply on <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link> instead.
                </Typography.Text>
              </Card>
            ) : (
              <Card title="Reply">
                <ReplyForm ticketId={ticket.id} form={replyForm} defaultAuthorId={user?.id ?? ticket.requester_id} />
              </Card>
            )}
            <Card title="History">
              <TicketTimeline ticketId={ticket.id} nameOf={(id) => nameOf(id)} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
          <SlaPanel ticket={ticket} />
          <CsatCard ticket={ticket} />
          <AiDecisionCard ticket={ticket} />
          <AiSuggestionPanel
            ticketId={ticket.id}
            currentPriority={ticket.priority}
            currentTags={ticket.tags}
            currentCategory={ticket.category}
            applying={update.isPending}
            onApplyCategory={(category) => apply({ category }, `Category set to ${category}`)}
            onApplyPriority={(priority) => apply({ priority }, 'Priority applied')}
            onApplyTags={(tags) => apply({ tags }, 'Tags applied')}
            onInsertDraft={insertDraft}
          />
          </Flex>
        </Col>
      </Row>
      <EditTicketModal ticket={ticket} open={editing} onClose={() => setEditing(false)} onReload={reload} />
      <MergeTicketModal ticket={ticket} open={merging} onClose={() => setMerging(false)} />
    </Flex>
  );
}
