import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, MailOutlined, MergeCellsOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Flex, Form, Row, Select, Skeleton, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Ticket, TicketUpdate } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { ErrorState, NotFoundState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { usePageTitle } from '@/lib/page-title';
import { AiClassification } from '@/features/ai/components/AiClassification';
import { AiDecisionCard } from '@/features/ai/components/AiDecisionCard';
import { AiSuggestionPanel } from '@/features/ai/components/AiSuggestionPanel';
import { CopilotButton } from '@/features/copilot/components/CopilotDrawer';
import { useLabels } from '@/features/ai/api/labels';
import { SlaChip } from '@/components/sla/SlaChip';
import { SlaPanel } from '@/components/sla/SlaPanel';
import { useUserDirectory } from '@/api/users/get-users';
import { AssigneeSelect } from '@/components/users/AssigneeSelect';
import { categoryName } from '@/components/tickets/category';
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
  const { t } = useTranslation();
  const ticketId = Number(useParams().ticketId);
  const valid = Number.isSafeInteger(ticketId) && ticketId > 0;
  const remove = useDeleteTicket();
  // No polling once a delete has started: the ticket would answer 404 before the page is gone.
  const ticket = useTicket(ticketId, valid && !remove.isPending && !remove.isSuccess);
  const notFound = !valid || (ticket.isError && isApiError(ticket.error) && ticket.error.status === 404);
  usePageTitle(ticket.data ? `#${ticket.data.id} ${ticket.data.title}` : notFound ? t('tickets.detail.notFoundTitle') : valid ? `#${ticketId}` : undefined);
  if (notFound) {
    return <NotFoundState what={t('tickets.detail.what')} action={<Link to="/tickets"><Button type="primary">{t('tickets.detail.backToList')}</Button></Link>} />;
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

/**
 * The ticket page. Layout, top to bottom: breadcrumb; the title with its chips and the actions area
 * (`data-slot="ticket-actions"`: Edit, Merge, Delete; features add their buttons there); banners
 * (`data-slot="ticket-banners"`: merged, presence); then two columns: the conversation (first message and
 * replies), the reply box and the history on the left; on the right (`data-slot="ticket-side"`) the details
 * card (people, category, AI), SLA, rating and the AI panels. Below 1200 px the right column goes under the left.
 */
function TicketDetail({ ticket, remove, reload }: DetailProps) {
  const { t } = useTranslation();
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

  const nameOf = (id: number | null) => (id === null ? t('common.unassigned') : users?.get(id)?.name ?? t('common.userN', { id }));

  const apply = (changes: Omit<TicketUpdate, 'version'>, what: string) => {
    update.mutate(
      { ticketId: ticket.id, changes, version: ticket.version },
      {
        onSuccess: () => message.success(what),
        onError: (error) => message.error(isApiError(error) && error.status === 409 ? t('tickets.detail.changedMeanwhile') : describeError(error)),
      },
    );
  };
  const assignToMe = () => { if (user) apply({ assignee_id: user.id }, t('tickets.detail.assignedToYou')); };

  const insertDraft = (draft: string) => {
    replyForm.setFieldsValue({ content: draft, internal: false, from_suggestion: true });
    const box = document.getElementById('reply_content');
    box?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    box?.focus();
    message.info(t('tickets.detail.draftInserted'));
  };

  const insertCopilotAnswer = (text: string) => {
    replyForm.setFieldsValue({ content: text, internal: false });
    const box = document.getElementById('reply_content');
    box?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    box?.focus();
  };

  const confirmDelete = () => {
    modal.confirm({
      title: t('tickets.detail.deleteTitle', { id: ticket.id }),
      content: t('tickets.detail.deleteHint'),
      okText: t('tickets.detail.delete'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: true },
      onOk: () =>
        remove.mutateAsync(ticket.id).then(
          ({ finished }) => {
            message.success(finished ? t('tickets.detail.deleted', { id: ticket.id }) : t('tickets.detail.deletedLater', { id: ticket.id }));
            navigate('/tickets');
            setTimeout(() => forgetTicket(queryClient, ticket.id), 0);
          },
          (error: unknown) => {
            message.error(describeError(error));
          },
        ),
    });
  };

  const categories = new Map((labels.data ?? []).map((label) => [label.name, label]));
  if (ticket.category && !categories.has(ticket.category)) categories.set(ticket.category, { name: ticket.category, description: '', created_at: '' });
  const categoryLabel = (name: string) => categoryName(name);

  const details: { key: string; label: string; children: ReactNode }[] = [
    {
      key: 'requester',
      label: t('tickets.detail.requester'),
      children: <span><Link to={`/users/${ticket.requester_id}`}>{nameOf(ticket.requester_id)}</Link>{ticket.created_by ? ` ${t('tickets.detail.enteredBy', { name: nameOf(ticket.created_by) })}` : ''}</span>,
    },
    {
      key: 'assignee',
      label: t('common.assignee.label'),
      children: (
        <Flex vertical gap={4} style={{ width: '100%', minWidth: 0 }}>
          <AssigneeSelect
            aria-label={t('common.assignee.label')}
            value={ticket.assignee_id}
            meId={user?.id}
            loading={update.isPending && update.variables?.changes.assignee_id !== undefined}
            onChange={(assignee) => apply({ assignee_id: assignee }, assignee === null ? t('tickets.detail.unassignedDone') : t('tickets.detail.assignedTo', { name: nameOf(assignee) }))}
          />
          {user && ticket.assignee_id !== user.id && (
            <Button size="small" type="link" icon={<UserAddOutlined />} onClick={assignToMe} style={{ alignSelf: 'flex-start', paddingInline: 0 }} data-shortcut="a">
              {t('tickets.detail.assignToMe')}
            </Button>
          )}
        </Flex>
      ),
    },
    {
      key: 'category',
      label: t('tickets.detail.category'),
      children: (
        <Select<string>
          aria-label={t('tickets.detail.category')}
          value={ticket.category ?? undefined}
          placeholder={t('tickets.detail.notSet')}
          allowClear
          style={{ width: '100%' }}
          loading={labels.isLoading}
          onChange={(category) => apply({ category: category ?? null }, category ? t('tickets.detail.categorySet', { name: categoryLabel(category) }) : t('tickets.detail.categoryCleared'))}
          options={[...categories.values()].map((label) => ({ value: label.name, label: categoryLabel(label.name), title: label.description || label.name }))}
          notFoundContent={labels.isError ? t('tickets.detail.categoriesFailed') : t('tickets.detail.noCategories')}
        />
      ),
    },
    {
      key: 'ai',
      label: t('tickets.detail.aiClassification'),
      children: (
        <Flex vertical gap={4} style={{ minWidth: 0 }}>
          <AiClassification ticket={ticket} waiting={classificationPollInterval(ticket) !== false} />
          {ticket.ai_category && !ticket.ai_out_of_scope && ticket.ai_category !== ticket.category && (
            <Button size="small" type="link" style={{ alignSelf: 'flex-start', paddingInline: 0 }}
              onClick={() => apply({ category: ticket.ai_category }, t('tickets.detail.categorySet', { name: categoryLabel(ticket.ai_category ?? '') }))}>
              {t('tickets.detail.useAsCategory')}
            </Button>
          )}
        </Flex>
      ),
    },
    { key: 'created', label: t('tickets.detail.created'), children: formatDateTime(ticket.created_at) },
    { key: 'updated', label: t('tickets.detail.updated'), children: formatDateTime(ticket.updated_at) },
  ];

  return (
    <Flex vertical gap={16} data-testid="ticket-page" style={{ minWidth: 0 }}>
      <Breadcrumb items={[{ title: <Link to="/tickets"><ArrowLeftOutlined /> {t('tickets.list.title')}</Link> }, { title: `#${ticket.id}` }]} />
      <Flex justify="space-between" align="flex-start" gap={16} wrap>
        <div style={{ minWidth: 0, flex: '1 1 320px' }}>
          <Typography.Title level={2} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="ticket-title">{ticket.title}</Typography.Title>
          <Flex gap={8} align="center" wrap style={{ marginTop: 8 }}>
            <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
            <StatusTag status={ticket.status} />
            <PriorityTag priority={ticket.priority} />
            <SlaChip ticket={ticket} />
            <TagChips tags={ticket.tags} />
            {ticket.channel === 'email' && <Tag icon={<MailOutlined />} data-testid="channel-email">{t('common.thread.email')}</Tag>}
          </Flex>
        </div>
        <Flex gap={8} wrap data-slot="ticket-actions">
          <CopilotButton ticketId={ticket.id} onInsert={insertCopilotAnswer} />
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>{t('tickets.detail.edit')}</Button>
          <Button icon={<MergeCellsOutlined />} onClick={() => setMerging(true)} disabled={Boolean(ticket.merged_into)}>{t('tickets.detail.merge')}</Button>
          <Button danger icon={<DeleteOutlined />} onClick={confirmDelete} loading={remove.isPending}>{t('tickets.detail.delete')}</Button>
        </Flex>
      </Flex>

      <Flex vertical gap={8} data-slot="ticket-banners">
        {ticket.merged_into && (
          <Alert
            type="info"
            showIcon
            role="status"
            data-testid="merged-banner"
            title={<span>{t('tickets.detail.mergedInto')} <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link></span>}
            description={t('tickets.detail.mergedHint')}
          />
        )}
      </Flex>
      <Row gutter={[16, 16]} style={{ minWidth: 0 }}>
        <Col xs={24} xl={16} style={{ minWidth: 0 }}>
          <Flex vertical gap={16}>
            <Card title={t('common.thread.label')} styles={{ body: { padding: 12 } }}>
              <ReplyThread ticketId={ticket.id} users={users} opening={ticket} />
            </Card>
            {ticket.merged_into ? (
              <Card title={t('tickets.detail.reply')}>
                <Typography.Text type="secondary">
                  {t('tickets.detail.replyOnSurvivor')} <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link>
                </Typography.Text>
              </Card>
            ) : (
              <Card title={t('tickets.detail.reply')}>
                <ReplyForm ticketId={ticket.id} form={replyForm} defaultAuthorId={user?.id ?? ticket.requester_id} />
              </Card>
            )}
            <Card title={t('tickets.detail.history')}>
              <TicketTimeline ticketId={ticket.id} nameOf={(id) => nameOf(id)} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={8} style={{ minWidth: 0 }}>
          <Flex vertical gap={16} data-slot="ticket-side">
            <Card title={t('tickets.detail.details')} size="small" data-testid="ticket-details">
              <Descriptions size="small" column={1} layout="vertical" items={details} />
            </Card>
            <SlaPanel ticket={ticket} />
            <CsatCard ticket={ticket} />
            <AiDecisionCard ticket={ticket} />
            <AiSuggestionPanel
              ticketId={ticket.id}
              currentPriority={ticket.priority}
              currentTags={ticket.tags}
              currentCategory={ticket.category}
              applying={update.isPending}
              onApplyCategory={(category) => apply({ category }, t('tickets.detail.categorySet', { name: categoryLabel(category) }))}
              onApplyPriority={(priority) => apply({ priority }, t('tickets.detail.priorityApplied'))}
              onApplyTags={(tags) => apply({ tags }, t('tickets.detail.tagsApplied'))}
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
