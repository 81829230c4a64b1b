import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Flex, Form, Input, Modal, Popconfirm, Result, Skeleton, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { Webhook, WebhookCreated, WebhookEvent } from '@/api/types';
import { WEBHOOK_EVENTS } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useCreateWebhook, useDeleteWebhook, useWebhooks } from '../api/webhooks';

const EVENT_WORDS: Record<WebhookEvent, string> = {
  'ticket.created': 'a ticket is created',
  'ticket.updated': 'a ticket changes',
  'reply.created': 'a public reply is added (never internal notes)',
  'sla.breached': 'an SLA target is breached',
};

export default function WebhooksPage() {
  const { user } = useAuth();
  if (user?.role !== 'admin') {
    return <Result status="403" title="Webhooks are for admins" subTitle="Ask an admin to register or remove webhooks." />;
  }
  return <Webhooks />;
}

function Webhooks() {
  const hooks = useWebhooks();
  const remove = useDeleteWebhook();
  const { message } = App.useApp();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<WebhookCreated | null>(null);

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>Webhooks</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>Add webhook</Button>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        The help desk POSTs a JSON body to each URL when the chosen events happen, signed with the webhook’s secret
        (<Typography.Text code>X-Helpdesk-Signature: sha256=HMAC(secret, "timestamp.body")</Typography.Text>). Delivery is at
        least once: use <Typography.Text code>X-Helpdesk-Delivery</Typography.Text> to drop duplicates.
      </Typography.Paragraph>
      {hooks.isLoading && <Skeleton active paragraph={{ rows: 4 }} />}
      {hooks.isError && <ErrorState error={hooks.error} onRetry={() => void hooks.refetch()} />}
      {hooks.data && (
        <Table<Webhook>
          rowKey="id"
          dataSource={hooks.data}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: <EmptyState description="No webhooks yet." action={<Button onClick={() => setAdding(true)}>Add the first one</Button>} /> }}
          columns={[
            { title: 'URL', dataIndex: 'url', ellipsis: true, render: (url: string, hook) => <span><Typography.Text code>{url}</Typography.Text>{hook.description && <><br /><Typography.Text type="secondary">{hook.description}</Typography.Text></>}</span> },
            { title: 'Events', dataIndex: 'events', width: 260, render: (events: string[]) => <Flex wrap gap={4}>{events.map((e) => <Tag key={e}>{e}</Tag>)}</Flex> },
            { title: 'Active', dataIndex: 'active', width: 80, render: (active: boolean) => (active ? <Tag color="green">Yes</Tag> : <Tag>No</Tag>) },
            { title: 'Created', dataIndex: 'created_at', width: 170, render: (at: string) => formatDateTime(at) },
            {
              title: '',
              key: 'actions',
              width: 140,
              render: (_: unknown, hook) => (
                <Popconfirm
                  title="Remove this webhook?"
                  description="Deliveries to it stop at once."
                  okText="Remove"
                  okButtonProps={{ danger: true }}
                  onConfirm={() => remove.mutateAsync(hook.id).then(() => { message.success('Webhook removed'); }, (error: unknown) => { message.error(describeError(error)); })}
                >
                  <Button danger icon={<DeleteOutlined />} aria-label={`Remove webhook ${hook.url}`}>Remove</Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      <AddWebhookModal open={adding} onClose={() => setAdding(false)} onCreated={(hook) => { setAdding(false); setCreated(hook); }} />
      <SecretModal hook={created} onClose={() => setCreated(null)} />
    </Flex>
  );
}

interface Values { url: string; events: WebhookEvent[]; description?: string }

function AddWebhookModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (hook: WebhookCreated) => void }) {
  const [form] = Form.useForm<Values>();
  const create = useCreateWebhook();
  const [problem, setProblem] = useState<string | null>(null);
  const onFinish = (values: Values) => {
    setProblem(null);
    create.mutate(
      { url: values.url.trim(), events: values.events, description: values.description?.trim() || null },
      {
        onSuccess: (hook) => { form.resetFields(); onCreated(hook); },
        onError: (error) => {
          const unplaced = applyServerErrors(form, error, ['url', 'events', 'description']);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };
  return (
    <Modal title="Add webhook" open={open} onCancel={onClose} onOk={() => form.submit()} okText="Add webhook" confirmLoading={create.isPending} destroyOnHidden>
      {problem && <Alert type="error" showIcon role="alert" title="Not added" description={problem} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} name="new-webhook" layout="vertical" onFinish={onFinish} initialValues={{ events: ['ticket.created'] }}>
        <Form.Item
          label="URL"
          name="url"
          extra="An https URL on a public address (private and loopback addresses are refused outside local development)."
          rules={[{ required: true, whitespace: true, message: 'Enter the URL to POST to' }, { pattern: /^https?:\/\/[^\s/?#]+\S*$/i, message: 'Enter a full URL such as https://example.com/hooks/helpdesk' }, { max: 2000, message: 'At most 2,000 characters' }]}
        >
          <Input placeholder="https://example.com/hooks/helpdesk" autoFocus />
        </Form.Item>
        <Form.Item label="Send when" name="events" rules={[{ required: true, type: 'array', min: 1, message: 'Pick at least one event' }]}>
          <Checkbox.Group>
            <Flex vertical gap={4}>
              {WEBHOOK_EVENTS.map((event) => (
                <Checkbox key={event} value={event}><Typography.Text code>{event}</Typography.Text> {EVENT_WORDS[event]}</Checkbox>
              ))}
            </Flex>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item label="Description (optional)" name="description" rules={[{ max: 200, message: 'At most 200 characters' }]}>
          <Input placeholder="e.g. Slack relay" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The secret is in the create answer only: show it once, with a copy button, and say so. */
function SecretModal({ hook, onClose }: { hook: WebhookCreated | null; onClose: () => void }) {
  return (
    <Modal
      title="Webhook added: copy its secret now"
      open={hook !== null}
      onCancel={onClose}
      footer={<Button type="primary" onClick={onClose}>I have copied the secret</Button>}
      mask={{ closable: false }}
      destroyOnHidden
    >
      {hook && (
        <Flex vertical gap={12}>
          <Alert type="warning" showIcon title="This is the only time the secret is shown." description="Store it where the receiving service can verify signatures. If you lose it, remove the webhook and add it again." />
          <Card size="small">
            <Typography.Text type="secondary">Signing secret for {hook.url}</Typography.Text>
            <Typography.Paragraph copyable={{ text: hook.secret, tooltips: ['Copy secret', 'Copied'] }} code style={{ margin: '4px 0 0', wordBreak: 'break-all' }} data-testid="webhook-secret">
              {hook.secret}
            </Typography.Paragraph>
          </Card>
        </Flex>
      )}
    </Modal>
  );
}
