import { ArrowLeftOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Flex, Form, Input, Skeleton, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { StatusTag } from '@/components/chips';
import { ErrorState, NotFoundState } from '@/components/states';
import { describeError, isApiError } from '@/lib/api-client';
import { usePageTitle } from '@/lib/page-title';
import { useAuth } from '@/lib/auth';
import { useCreateReply } from '@/api/tickets/create-reply';
import { ticketQueryOptions } from '@/api/tickets/get-ticket';
import { ReplyThread } from '@/components/tickets/ReplyThread';
import { MAX_CONTENT } from '@/components/tickets/TicketFields';
import { AiAnswerFeedback } from './AiAnswerFeedback';
import { RatingWidget } from './RatingWidget';

export default function RequesterTicketPage() {
  const ticketId = Number(useParams().ticketId);
  const valid = Number.isSafeInteger(ticketId) && ticketId > 0;
  // No polling for the AI classification here: requesters do not see it.
  const ticket = useQuery({ ...ticketQueryOptions(ticketId, valid), refetchInterval: false });
  const { t } = useTranslation();
  const notFound = !valid || (ticket.isError && isApiError(ticket.error) && ticket.error.status === 404);
  usePageTitle(ticket.data ? `#${ticket.data.id} ${ticket.data.title}` : notFound ? t('tickets.detail.notFoundTitle') : valid ? `#${ticketId}` : undefined);
  if (notFound) {
    return <NotFoundState what={t('tickets.detail.what')} action={<Link to="/"><Button type="primary">{t('requester.ticket.back')}</Button></Link>} />;
  }
  if (ticket.isLoading) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (ticket.isError || !ticket.data) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  return <RequesterTicket ticket={ticket.data} />;
}

function RequesterTicket({ ticket }: { ticket: Ticket }) {
  const { user } = useAuth();
  const { t } = useTranslation();
  const showRating = ticket.status === 'resolved' || ticket.status === 'closed' || typeof ticket.csat_score === 'number';
  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/"><ArrowLeftOutlined /> {t('requester.list.title')}</Link> }, { title: `#${ticket.id}` }]} />
      <div>
        <Typography.Title level={2} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="ticket-title">{ticket.title}</Typography.Title>
        <Flex gap={8} align="center" wrap style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
          <StatusTag status={ticket.status} />
          <Typography.Text type="secondary">{t(`requester.ticket.status.${ticket.status}`)}</Typography.Text>
        </Flex>
      </div>
      {ticket.merged_into && (
        <Alert type="info" showIcon title={<span>{t('requester.ticket.mergedInto')} <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link></span>} description={t('requester.ticket.mergedHint')} />
      )}
      <AiAnswerFeedback ticket={ticket} />
      {showRating && <RatingWidget ticket={ticket} />}
      <Card title={t('common.thread.label')} styles={{ body: { padding: 12 } }}>
        <ReplyThread ticketId={ticket.id} users={undefined} opening={ticket}
          authorName={(id) => (id === user?.id ? t('common.thread.you') : t('requester.ticket.supportTeam'))} />
      </Card>
      {ticket.status !== 'closed' && !ticket.merged_into && (
        <Card title={t('tickets.detail.reply')}>
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
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const onFinish = ({ content }: { content: string }) => {
    setProblem(null);
    form.setFieldsValue({ content: '' });
    create.mutate(
      { ticketId, body: { content } },
      {
        onSuccess: () => message.success(t('requester.ticket.replySent')),
        onError: (error) => {
          if (!form.getFieldValue('content')) form.setFieldsValue({ content });
          setProblem(describeError(error));
        },
      },
    );
  };
  return (
    <Form form={form} layout="vertical" name="requester-reply" onFinish={onFinish}>
      {problem && <Alert type="error" showIcon role="alert" title={t('requester.new.notSent')} description={problem} style={{ marginBottom: 12 }} />}
      <Form.Item label={t('requester.ticket.yourReply')} name="content" rules={[{ required: true, whitespace: true, message: t('common.reply.empty') }, { max: MAX_CONTENT, message: t('common.reply.tooLong') }]}>
        <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} placeholder={t('requester.ticket.replyPlaceholder')} />
      </Form.Item>
      <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={create.isPending}>{t('requester.ticket.send')}</Button>
    </Form>
  );
}
