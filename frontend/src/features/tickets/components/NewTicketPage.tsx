import { Alert, App, Button, Card, Flex, Form, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { usePageTitle } from '@/lib/page-title';
import { useCreateTicket } from '@/api/tickets/create-ticket';
import { TICKET_FIELDS, TicketFields, type TicketFormValues } from '@/components/tickets/TicketFields';

export const NEW_TICKET_DEFAULTS: Partial<TicketFormValues> = { status: 'open', priority: 'medium', tags: [] };

export default function NewTicketPage() {
  const [form] = Form.useForm<TicketFormValues>();
  const { t } = useTranslation();
  usePageTitle(t('tickets.new.title'));
  const navigate = useNavigate();
  const { message } = App.useApp();
  const create = useCreateTicket();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = (values: TicketFormValues) => {
    setProblem(null);
    create.mutate(
      {
        title: values.title.trim(),
        content: values.content ?? '',
        requester_id: values.requester_id,
        status: values.status,
        priority: values.priority,
        tags: values.tags ?? [],
      },
      {
        onSuccess: (ticket) => {
          message.success(t('tickets.new.created', { id: ticket.id }));
          navigate(`/tickets/${ticket.id}`);
        },
        onError: (error) => {
          const unplaced = applyServerErrors(form, error, TICKET_FIELDS);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };

  return (
    <Flex vertical gap={16} style={{ maxWidth: 860, minWidth: 0 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>{t('tickets.new.title')}</Typography.Title>
      <Card>
        {problem && <Alert type="error" showIcon role="alert" title={t('tickets.new.notCreated')} description={problem} style={{ marginBottom: 16 }} />}
        <Form<TicketFormValues>
          form={form}
          layout="vertical"
          initialValues={NEW_TICKET_DEFAULTS}
          onFinish={onFinish}
          validateTrigger={['onChange', 'onBlur']}
          scrollToFirstError
          name="new-ticket"
        >
          <TicketFields />
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" loading={create.isPending}>{t('tickets.new.create')}</Button>
            <Link to="/tickets"><Button>{t('common.cancel')}</Button></Link>
          </Flex>
        </Form>
      </Card>
    </Flex>
  );
}
