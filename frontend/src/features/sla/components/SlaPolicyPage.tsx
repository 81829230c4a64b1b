import { Alert, App, Button, Card, Checkbox, Col, Flex, Form, Input, InputNumber, Radio, Row, Select, Skeleton, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { SlaPolicy } from '@/api/types';
import { PRIORITIES } from '@/api/types';
import { PriorityTag } from '@/components/chips';
import { ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { usePolicy, useSavePolicy } from '../api/policy';
import { formToPolicy, policyProblems, policyToForm, timeZones, WEEKDAYS, type PolicyFormValues } from '../policy-form';

export default function SlaPolicyPage() {
  const policy = usePolicy();
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ margin: 0 }}>SLA policy</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        Targets per priority, counted in working time. The clock pauses while a ticket is pending (waiting on the
        customer). Changes apply to tickets created or re-prioritised from now on.
      </Typography.Paragraph>
      {policy.isLoading && <Skeleton active paragraph={{ rows: 10 }} />}
      {policy.isError && <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />}
      {policy.data && <PolicyForm policy={policy.data} key={policy.data.updated_at ?? 'defaults'} />}
    </Flex>
  );
}

function DurationInput({ name, label }: { name: (string | number)[]; label: string }) {
  return (
    <Space.Compact>
      <Form.Item name={[...name, 'hours']} noStyle>
        <InputNumber min={0} max={2160} precision={0} suffix="h" aria-label={`${label} hours`} style={{ width: 110 }} />
      </Form.Item>
      <Form.Item name={[...name, 'minutes']} noStyle>
        <InputNumber min={0} max={59} precision={0} suffix="m" aria-label={`${label} minutes`} style={{ width: 100 }} />
      </Form.Item>
    </Space.Compact>
  );
}

function PolicyForm({ policy }: { policy: SlaPolicy }) {
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const [form] = Form.useForm<PolicyFormValues>();
  const save = useSavePolicy();
  const { message } = App.useApp();
  const [problems, setProblems] = useState<string[]>([]);
  const mode = Form.useWatch('mode', form);
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z })), []);

  const onFinish = (values: PolicyFormValues) => {
    const found = policyProblems(values);
    setProblems(found);
    if (found.length) return;
    save.mutate(formToPolicy(values), { onSuccess: () => message.success('SLA policy saved') });
  };

  return (
    <Form<PolicyFormValues> form={form} name="sla-policy" layout="vertical" initialValues={policyToForm(policy)} onFinish={onFinish} disabled={!admin}>
      <Flex vertical gap={16}>
        {!admin && <Alert type="info" showIcon title="Only admins can change the SLA policy." />}
        <Card title="Targets per priority" size="small">
          <Row gutter={[16, 8]} style={{ fontWeight: 500 }}>
            <Col xs={24} md={4}>Priority</Col>
            <Col xs={12} md={10}>First response within</Col>
            <Col xs={12} md={10}>Resolution within</Col>
          </Row>
          {[...PRIORITIES].reverse().map((p) => (
            <Row gutter={[16, 8]} key={p} align="middle" style={{ marginTop: 8 }} data-testid={`target-${p}`}>
              <Col xs={24} md={4}><PriorityTag priority={p} /></Col>
              <Col xs={12} md={10}><DurationInput name={['targets', p, 'first_response']} label={`${p} first response`} /></Col>
              <Col xs={12} md={10}><DurationInput name={['targets', p, 'resolution']} label={`${p} resolution`} /></Col>
            </Row>
          ))}
        </Card>
        <Card title="When the clock runs" size="small">
          <Form.Item name="mode">
            <Radio.Group
              options={[
                { value: 'business', label: 'Business hours only' },
                { value: '24x7', label: 'Around the clock (24x7)' },
              ]}
            />
          </Form.Item>
          {mode !== '24x7' && (
            <Row gutter={16}>
              <Col xs={24} md={10}>
                <Form.Item label="Time zone" name="timezone">
                  <Select showSearch options={zones} aria-label="Time zone" />
                </Form.Item>
              </Col>
              <Col xs={12} md={7}>
                <Form.Item label="Start" name="start" rules={[{ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: 'HH:MM, e.g. 09:00' }]}>
                  <Input type="time" aria-label="Start" />
                </Form.Item>
              </Col>
              <Col xs={12} md={7}>
                <Form.Item label="End" name="end" rules={[{ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: 'HH:MM, e.g. 17:00' }]}>
                  <Input type="time" aria-label="End" />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item label="Working days" name="days">
                  <Checkbox.Group options={WEEKDAYS.map((day, index) => ({ value: index, label: day }))} />
                </Form.Item>
              </Col>
            </Row>
          )}
        </Card>
        {problems.length > 0 && <Alert type="error" showIcon role="alert" title="Not saved" description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{problems.map((p) => <li key={p}>{p}</li>)}</ul>} />}
        {save.isError && <Alert type="error" showIcon role="alert" title="Not saved" description={describeError(save.error)} />}
        <Flex gap={8} align="center" wrap>
          {admin && <Button type="primary" htmlType="submit" loading={save.isPending}>Save policy</Button>}
          <Typography.Text type="secondary">
            {policy.updated_at ? `Last changed ${formatDateTime(policy.updated_at)}` : 'These are the defaults; nobody has changed them yet.'}
          </Typography.Text>
        </Flex>
      </Flex>
    </Form>
  );
}
