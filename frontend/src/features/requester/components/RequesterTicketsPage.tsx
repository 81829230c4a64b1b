import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Input, Modal, Skeleton, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { StatusTag } from '@/components/chips';
import { EmptyState, ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { formatDateTime, formatRelative } from '@/lib/format';
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

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>My tickets</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>New request</Button>
      </Flex>
      {tickets.isError && <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} />}
      {tickets.isLoading ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : !tickets.isError && (
        <Table<Ticket>
          rowKey="id"
          dataSource={tickets.data?.items ?? []}
          loading={tickets.isFetching && tickets.isPlaceholderData}
          locale={{ emptyText: <EmptyState description="You have no tickets yet." action={<Button onClick={() => setCreating(true)}>Ask for help</Button>} /> }}
          onRow={(ticket) => ({ onClick: () => navigate(`/tickets/${ticket.id}`), style: { cursor: 'pointer' } })}
          columns={[
            { title: 'ID', dataIndex: 'id', width: 72, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
            { title: 'Title', dataIndex: 'title', ellipsis: true, render: (title: string, t) => <Link to={`/tickets/${t.id}`} onClick={(e) => e.stopPropagation()}>{title}</Link> },
            { title: 'Status', dataIndex: 'status', width: 120, render: (status: Ticket['status']) => <StatusTag status={status} /> },
            {
              title: 'Your rating',
              dataIndex: 'csat_score',
              width: 130,
              render: (score: number | null, t) =>
                typeof score === 'number' ? `${score}/5` : t.status === 'resolved' ? <Typography.Text type="warning">Waiting for you</Typography.Text> : <Typography.Text type="secondary">—</Typography.Text>,
            },
            { title: 'Updated', dataIndex: 'updated_at', width: 140, render: (at: string) => <span title={formatDateTime(at)}>{formatRelative(at)}</span> },
          ]}
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
  const [problem, setProblem] = useState<string | null>(null);
  const title = Form.useWatch('title', form) ?? '';
  const content = Form.useWatch('content', form) ?? '';
  const onFinish = (values: RequestValues) => {
    setProblem(null);
    create.mutate(
      { title: values.title.trim(), content: values.content },
      {
        onSuccess: (ticket) => {
          message.success(`Request #${ticket.id} sent`);
          form.resetFields();
          onClose();
          navigate(`/tickets/${ticket.id}`);
        },
        onError: (error) => {
          const unplaced = applyServerErrors(form, error, ['title', 'content']);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };
  return (
    <Modal title="New request" open={open} onCancel={onClose} onOk={() => form.submit()} okText="Send request" confirmLoading={create.isPending} destroyOnHidden>
      {problem && <Alert type="error" showIcon role="alert" title="Not sent" description={problem} style={{ marginBottom: 16 }} />}
      <SelfServiceAnswer question={`${title}\n${content}`} onDeflected={() => { form.resetFields(); onClose(); }} />
      <Form<RequestValues> form={form} name="new-request" layout="vertical" onFinish={onFinish}>
        <Form.Item label="Subject" name="title" rules={titleRules}>
          <Input maxLength={MAX_TITLE + 1} autoFocus />
        </Form.Item>
        <Form.Item label="What do you need help with?" name="content" rules={contentRules}>
          <Input.TextArea autoSize={{ minRows: 5, maxRows: 14 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
