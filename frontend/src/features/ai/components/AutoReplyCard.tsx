import { App, Button, Card, Form, Input, InputNumber, Radio, Select, Skeleton, Switch, Typography } from 'antd';
import { ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { formatRelative } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useLabels } from '../api/labels';
import { useAutoReply, useSaveAutoReply, type AutoReplyPolicyIn } from '../api/auto-reply';

const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const FIELDS = ['enabled', 'categories', 'never_priorities', 'min_confidence', 'min_similarity', 'signature', 'on_llm_failure'] as const;

/** Settings → AI: whether the AI answers new tickets from the knowledge base on its own, and within which limits. */
export function AutoReplyCard() {
  const { user } = useAuth();
  const isAdmin = user?.role === 'admin';
  const policy = useAutoReply();
  const labels = useLabels();
  const save = useSaveAutoReply();
  const { message } = App.useApp();
  const [form] = Form.useForm<AutoReplyPolicyIn & { all_categories: boolean }>();
  if (policy.isLoading) return <Card title="AI first response"><Skeleton active /></Card>;
  if (policy.isError || !policy.data) return <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />;
  const initial = { ...policy.data, all_categories: policy.data.categories === null, categories: policy.data.categories ?? [] };
  const onFinish = (values: AutoReplyPolicyIn & { all_categories: boolean }) => {
    const { all_categories: all, ...rest } = values;
    save.mutate({ ...rest, categories: all ? null : rest.categories ?? [] }, {
      onSuccess: () => void message.success('AI first-response policy saved'),
      onError: (error) => {
        applyServerErrors(form, error, FIELDS);
        void message.error(describeError(error));
      },
    });
  };
  return (
    <Card title="AI first response" extra={policy.data.updated_at && (
      <Typography.Text type="secondary">changed {formatRelative(policy.data.updated_at)}</Typography.Text>)}>
      <Typography.Paragraph type="secondary">
        When on, the AI answers a new request from the knowledge base if it is sure enough, and hands the ticket to
        a person otherwise. Customers can say whether the answer solved their problem.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish} disabled={!isAdmin}>
        <Form.Item name="enabled" label="Answer new tickets automatically" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="all_categories" label="Categories it may answer" valuePropName="checked">
          <Switch checkedChildren="all" unCheckedChildren="only these" />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.all_categories !== b.all_categories}>
          {({ getFieldValue }) => !getFieldValue('all_categories') && (
            <Form.Item name="categories" label="Categories">
              <Select mode="multiple" options={(labels.data ?? []).map((l) => ({ value: l.name, label: l.name }))} />
            </Form.Item>
          )}
        </Form.Item>
        <Form.Item name="never_priorities" label="Never answer these priorities">
          <Select mode="multiple" options={PRIORITIES.map((p) => ({ value: p, label: p }))} />
        </Form.Item>
        <Form.Item name="min_confidence" label="Confidence it needs (0-1)">
          <InputNumber min={0} max={1} step={0.05} />
        </Form.Item>
        <Form.Item name="min_similarity" label="Similarity the article needs (0-1)">
          <InputNumber min={0} max={1} step={0.05} />
        </Form.Item>
        <Form.Item name="signature" label="Signs its answers as" rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="on_llm_failure" label="When the language model fails">
          <Radio.Group options={[{ value: 'template', label: 'answer from the template' }, { value: 'decline', label: 'leave it to a person' }]} />
        </Form.Item>
        {isAdmin && <Button type="primary" htmlType="submit" loading={save.isPending}>Save</Button>}
      </Form>
    </Card>
  );
}
