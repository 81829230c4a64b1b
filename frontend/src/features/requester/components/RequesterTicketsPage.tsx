import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Grid, Input, Modal, Skeleton, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { StatusTag } from '@/components/chips';
import { EmptyState, ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { formatDateTime, formatRelative } from '@/lib/format';
import { usePageTitle } from '@/lib/page-title';
import { useCreateTicket } from '@/api/tickets/create-ticket';
import { useTickets } from '@/api/tickets/get-tickets';
import { contentRules, MAX_TITLE, titleRules } from '@/components/tickets/TicketFields';
import { SelfServiceAnswer } from './SelfServiceAnswer';

const PAGE_SIZE = 20;

/** "My tickets": the API returns a requester only their own tickets. */
export default function RequesterTicketsPage() {
  const [search, setSearch] = useSearchParams();
  const page = Math.max(1, Number(search.get('page')) || 1);
  const tickets = useTickets({ page, page_size: PAGE_SIZE });
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const { t } = useTranslation();
  usePageTitle(t('requester.list.title'));
  const phone = Grid.useBreakpoint().md === false;
  const titleLink = (ticket: Ticket) => <Link to={`/tickets/${ticket.id}`} onClick={(e) => e.stopPropagation()}>{ticket.title}</Link>;
  const rating = (ticket: Ticket) =>
    typeof ticket.csat_score === 'number' ? `${ticket.csat_score}/5`
      : ticket.status === 'resolved' ? <Typography.Text type="warning" style={{ color: '#ad6800' }}>{t('requester.list.waiting')}</Typography.Text>
        : <Typography.Text type="secondary">—</Typography.Text>;
  const desktop: ColumnsType<Ticket> = [
    { title: t('tickets.list.id'), dataIndex: 'id', width: 72, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
    { title: t('requester.list.subject'), dataIndex: 'title', ellipsis: true, render: (_: string, ticket) => titleLink(ticket) },
    { title: t('common.ticketForm.status'), dataIndex: 'status', width: 120, render: (status: Ticket['status']) => <StatusTag status={status} /> },
    { title: t('requester.list.rating'), dataIndex: 'csat_score', width: 130, render: (_: number | null, ticket) => rating(ticket) },
    { title: t('requester.list.updated'), dataIndex: 'updated_at', width: 140, render: (at: string) => <span title={formatDateTime(at)}>{formatRelative(at)}</span> },
  ];
  // Below 768 px: one column, the subject whole and the rest under it (nothing scrolls sideways).
  const narrow: ColumnsType<Ticket> = [{
    title: t('requester.list.subject'),
    key: 'ticket',
    render: (_: unknown, ticket) => (
      <Flex vertical gap={4} style={{ minWidth: 0 }}>
        <span style={{ overflowWrap: 'anywhere', fontWeight: 500 }}>{titleLink(ticket)}</span>
        <Flex gap={6} wrap align="center">
          <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
          <StatusTag status={ticket.status} />
          {rating(ticket)}
          <Typography.Text type="secondary" style={{ fontSize: 12 }} title={formatDateTime(ticket.updated_at)}>{formatRelative(ticket.updated_at)}</Typography.Text>
        </Flex>
      </Flex>
    ),
  }];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>{t('requester.list.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('requester.list.new')}</Button>
      </Flex>
      {tickets.isError && <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} />}
      {tickets.isLoading ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : !tickets.isError && (
        <Table<Ticket>
          rowKey="id"
          dataSource={tickets.data?.items ?? []}
          loading={tickets.isFetching && tickets.isPlaceholderData}
          locale={{ emptyText: <EmptyState description={t('requester.list.none')} action={<Button onClick={() => setCreating(true)}>{t('requester.list.askForHelp')}</Button>} /> }}
          onRow={(ticket) => ({ onClick: () => navigate(`/tickets/${ticket.id}`), style: { cursor: 'pointer' } })}
          columns={phone ? narrow : desktop}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: tickets.data?.total ?? undefined,
            showSizeChanger: false,
            hideOnSinglePage: true,
            onChange: (next) => setSearch(next > 1 ? { page: String(next) } : {}),
          }}
        />
      )}
      <NewRequestModal open={creating} onClose={() => setCreating(false)} />
    </Flex>
  );
}

interface RequestValues { title: string; content: string }

function NewRequestModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<RequestValues>();
  const create = useCreateTicket();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const title = Form.useWatch('title', form) ?? '';
  const content = Form.useWatch('content', form) ?? '';
  const onFinish = (values: RequestValues) => {
    setProblem(null);
    create.mutate(
      { title: values.title.trim(), content: values.content },
      {
        onSuccess: (ticket) => {
          message.success(t('requester.new.sent', { id: ticket.id }));
          form.resetFields();
          onClose();
          navigate(`/tickets/${ticket.id}`);
        },
        onError: (error) => {
          const unplaced = applyServerErrors(form, error, ['title', 'content'], { title: t('requester.new.subject'), content: t('requester.new.content') });
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };
  return (
    <Modal title={t('requester.new.title')} open={open} onCancel={onClose} onOk={() => form.submit()} okText={t('requester.new.send')} cancelText={t('common.cancel')} confirmLoading={create.isPending} destroyOnHidden>
      {problem && <Alert type="error" showIcon role="alert" title={t('requester.new.notSent')} description={problem} style={{ marginBottom: 16 }} />}
      <SelfServiceAnswer question={`${title}\n${content}`} onDeflected={() => { form.resetFields(); onClose(); }} />
      <Form<RequestValues> form={form} name="new-request" layout="vertical" onFinish={onFinish}>
        <Form.Item label={t('requester.new.subject')} name="title" rules={titleRules('subject')}>
          <Input maxLength={MAX_TITLE + 1} autoFocus />
        </Form.Item>
        <Form.Item label={t('requester.new.content')} name="content" rules={contentRules()}>
          <Input.TextArea autoSize={{ minRows: 5, maxRows: 14 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
