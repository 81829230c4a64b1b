import { ArrowLeftOutlined, SendOutlined } from '@ant-design/icons';
import { AttachmentList } from '@/components/tickets/AttachmentList';
import { Alert, App, Breadcrumb, Button, Card, Flex, Form, Input, Skeleton, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { StatusTag } from '@/components/chips';
import { ErrorState, NotFoundState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useCreateReply } from '@/api/tickets/create-reply';
import { ticketQueryOptions } from '@/api/tickets/get-ticket';
import { ReplyThread } from '@/components/tickets/ReplyThread';
import { MAX_CONTENT } from '@/components/tickets/TicketFields';
import { AiAnswerFeedback } from './AiAnswerFeedback';
import { RatingWidget } from './RatingWidget';

const STATUS_WORDS: Record<Ticket['status'], string> = {
  open: 'We have your request and will answer soon.',
  in_progress: 'An agent is working on it.',
  pending: 'We are waiting for your answer.',
  resolved: 'We think this is solved. Please rate the help you got.',
  closed: 'This ticket is closed.',
};

export default function RequesterTicketPage() {
  const ticketId = Number(useParams().ticketId);
  const valid = Number.isSafeInteger(ticketId) && ticketId > 0;
  // No polling for the AI classification here: requesters do not see it.
  const ticket = useQuery({ ...ticketQueryOptions(ticketId, valid), refetchInterval: false });
  if (!valid || (ticket.isError && isApiError(ticket.error) && ticket.error.status === 404)) {
    return <NotFoundState what="Ticket" action={<Link to="/"><Button type="primary">Back to my tickets</Button></Link>} />;
  }
  if (ticket.isLoading) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (ticket.isError || !ticket.data) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  return <RequesterTicket ticket={ticket.data} />;
}

function RequesterTicket({ ticket }: { ticket: Ticket }) {
  const { user } = useAuth();
  const showRating = ticket.status === 'resolved' || ticket.status === 'closed' || typeof ticket.csat_score === 'number';
  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/"><ArrowLeftOutlined /> My tickets</Link> }, { title: `#${ticket.id}` }]} />
      <div>
        <Typography.Title level={2} style={{ margin: 0, wordBreak: 'break-word' }} data-testid="ticket-title">{ticket.title}</Typography.Title>
        <Flex gap={8} align="center" wrap style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
          <StatusTag status={ticket.status} />
          <Typography.Text type="secondary">{STATUS_WORDS[ticket.status]}</Typography.Text>
        </Flex>
      </div>
      {ticket.merged_into && (
        <Alert type="info" showIcon title={<span>This request was merged into <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link></span>} description="It was a duplicate; the conversation continues there." />
      )}
      <Card>
        <Typography.Text type="secondary">Opened {formatDateTime(ticket.created_at)}</Typography.Text>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 8, marginBottom: 0 }} data-testid="ticket-content">{ticket.content}</Typography.Paragraph>
              <AttachmentList attachments={ticket.attachments} />
      </Card>
      <AiAnswerFeedback ticket={ticket} />
      {showRating && <RatingWidget ticket={ticket} />}
      <Card title="Conversation">
        <ReplyThread ticketId={ticket.id} users={undefined} authorName={(id) => (id === user?.id ? 'You' : 'Support team')} />
      </Card>
      {ticket.status !== 'closed' && !ticket.merged_into && (
        <Card title="Reply">
          <RequesterReplyForm ticketId={ticket.id} />
        </Card>
      )}
    </Flex>
  );
}

function RequesterReplyForm({ ticketId }: { ticketId: number }) {
  const [form] = Form.useForm<{ content: string }>();
  const create = useCreateReply();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const onFinish = ({ content }: { content: string }) => {
    setProblem(null);
    form.setFieldsValue({ content: '' });
    create.mutate(
      { ticketId, body: { content } },
      {
        onSuccess: () => message.success('Reply sent'),
        onError: (error) => {
          if (!form.getFieldValue('content')) form.setFieldsValue({ content });
          setProblem(describeError(error));
        },
      },
    );
  };
  return (
    <Form form={form} layout="vertical" name="requester-reply" onFinish={onFinish}>
      {problem && <Alert type="error" showIcon role="alert" title="Not sent" description={problem} style={{ marginBottom: 12 }} />}
      <Form.Item label="Your reply" name="content" rules={[{ required: true, whitespace: true, message: 'Write something first' }, { max: MAX_CONTENT, message: 'This reply is too long' }]}>
        <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} placeholder="Add information or answer our question…" />
      </Form.Item>
      <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={create.isPending}>Send reply</Button>
    </Form>
  );
}
