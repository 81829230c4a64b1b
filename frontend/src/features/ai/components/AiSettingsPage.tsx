import { ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Flex, Form, Input, Progress, Row, Skeleton, Table, Tag, Typography, Upload } from 'antd';
import { useMemo, useState } from 'react';
import type { AiLabel, Classifier } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { addExamples, useClassifier, useRetrain } from '../api/classifier';
import { useLabels, useUpsertLabels } from '../api/labels';
import { aiKeys } from '../api/keys';
import { AutoReplyCard } from './AutoReplyCard';
import { MAX_BATCH, parseExamplesCsv, sendInBatches, toBatches, type SendReport } from '../examples-csv';

const STATUS_COLORS: Record<Classifier['status'], string> = { ready: 'green', training: 'blue', untrained: 'default' };

export default function AiSettingsPage() {
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ margin: 0 }}>AI classifier</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        The classifier puts each new ticket into a category of the taxonomy. It learns from labelled examples, and
        from every category an agent sets on a ticket.
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}><ClassifierCard /></Col>
        <Col xs={24} xl={14}><TaxonomyCard /></Col>
        <Col span={24}><ExamplesCard /></Col>
        <Col span={24}><AutoReplyCard /></Col>
      </Row>
    </Flex>
  );
}

function metricEntries(metrics: Classifier['metrics']): { key: string; label: string; children: string }[] {
  return Object.entries(metrics ?? {})
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .slice(0, 6)
    .map(([key, value]) => ({
      key,
      label: key.replace(/_/g, ' '),
      children: typeof value === 'number' && value <= 1 && value >= 0 && !Number.isInteger(value) ? `${(value * 100).toFixed(1)}%` : String(value),
    }));
}

function ClassifierCard() {
  const { user } = useAuth();
  const status = useClassifier();
  const retrain = useRetrain();
  const { message } = App.useApp();
  const data = status.data;
  return (
    <Card
      title="Classifier"
      style={{ height: '100%' }}
      data-testid="classifier-card"
      extra={user?.role === 'admin' && (
        <Button
          icon={<ReloadOutlined />}
          loading={retrain.isPending}
          onClick={() => retrain.mutate(undefined, { onSuccess: () => message.success('Retraining started; this page updates when it is done'), onError: (e) => message.error(describeError(e)) })}
        >
          Retrain now
        </Button>
      )}
    >
      {status.isLoading && <Skeleton active paragraph={{ rows: 4 }} />}
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {data && (
        <Flex vertical gap={8}>
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'status', label: 'Status', children: <Tag color={STATUS_COLORS[data.status]} data-testid="classifier-status">{data.status}</Tag> },
              { key: 'examples', label: 'Examples', children: data.examples.toLocaleString() },
              { key: 'labels', label: 'Categories', children: data.labels.toLocaleString() },
              { key: 'trained', label: 'Trained', children: data.trained_at ? <span title={formatDateTime(data.trained_at)}>{formatRelative(data.trained_at)}</span> : 'never' },
              ...(data.version ? [{ key: 'version', label: 'Model', children: `${data.kind ?? 'model'} ${data.version}` }] : []),
              ...metricEntries(data.metrics),
            ]}
          />
          {data.pending_generation && <Alert type="info" showIcon title="Examples changed since this model was trained; a newer one will be trained in the background." />}
          {data.error && <Alert type="error" showIcon title="The last training failed" description={data.error} />}
        </Flex>
      )}
    </Card>
  );
}

function TaxonomyCard() {
  const labels = useLabels();
  const upsert = useUpsertLabels();
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const onFinish = (values: { name: string; description?: string }) => {
    setProblem(null);
    upsert.mutate(
      { labels: [{ name: values.name.trim(), description: values.description?.trim() ?? '' }] },
      {
        onSuccess: () => { message.success(`Category ${values.name.trim()} saved`); form.resetFields(); },
        onError: (error) => {
          const unplaced = applyServerErrors(form, error, ['name', 'description']);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };
  return (
    <Card title="Taxonomy (categories)" style={{ height: '100%' }}>
      {labels.isError && <ErrorState error={labels.error} onRetry={() => void labels.refetch()} />}
      <Table<AiLabel>
        rowKey="name"
        size="small"
        loading={labels.isLoading}
        dataSource={labels.data ?? []}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        locale={{ emptyText: <EmptyState description="No categories yet. Add one below, or import examples (their labels become categories)." /> }}
        columns={[
          { title: 'Category', dataIndex: 'name', width: 180, render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
          { title: 'Description', dataIndex: 'description', render: (d: string) => d || <Typography.Text type="secondary">—</Typography.Text> },
        ]}
      />
      <Form form={form} name="label" layout="inline" onFinish={onFinish} style={{ marginTop: 12, rowGap: 8 }}>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: 'Name the category' }, { max: 80, message: 'At most 80 characters' }, { pattern: /^\s*[A-Za-z0-9][A-Za-z0-9 _./&+-]*\s*$/, message: 'Letters, digits, spaces and _ . / & + -' }]}>
          <Input placeholder="Category, e.g. billing" aria-label="Category name" />
        </Form.Item>
        <Form.Item name="description" rules={[{ max: 500, message: 'At most 500 characters' }]} style={{ flex: 1, minWidth: 200 }}>
          <Input placeholder="What belongs here (helps with few examples)" aria-label="Category description" />
        </Form.Item>
        <Button htmlType="submit" loading={upsert.isPending}>Save category</Button>
      </Form>
      {problem && <Alert type="error" showIcon role="alert" title="Not saved" description={problem} style={{ marginTop: 12 }} />}
    </Card>
  );
}

function ExamplesCard() {
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [result, setResult] = useState<{ report: SendReport; error?: unknown } | null>(null);
  const queryClient = useQueryClient();
  const parsed = useMemo(() => (csv.trim() ? parseExamplesCsv(csv) : null), [csv]);
  const sending = progress !== null && result === null;

  const send = async () => {
    if (!parsed || parsed.examples.length === 0) return;
    setResult(null);
    setProgress({ sent: 0, total: parsed.examples.length });
    try {
      const report = await sendInBatches(parsed.examples, addExamples, (sent, total) => setProgress({ sent, total }));
      setResult({ report });
      setCsv('');
      setFileName(null);
    } catch (error) {
      const report = (error as { report?: SendReport }).report ?? { sent: 0, received: 0, added: 0, labelsAdded: [], batches: 0 };
      setResult({ report, error });
    } finally {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: aiKeys.classifier() }),
        queryClient.invalidateQueries({ queryKey: aiKeys.labels() }),
      ]);
    }
  };

  return (
    <Card title="Add labelled examples">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">
          Paste CSV with a <Typography.Text code>text</Typography.Text> and a <Typography.Text code>label</Typography.Text> column
          (a header row is optional; quote texts that contain commas or line breaks), or upload a .csv file. Sent in
          batches of at most 1,000.
        </Typography.Text>
        <Input.TextArea
          aria-label="Examples CSV"
          value={csv}
          onChange={(e) => { setCsv(e.target.value); setFileName(null); setResult(null); }}
          autoSize={{ minRows: 5, maxRows: 14 }}
          placeholder={'text,label\n"I was charged twice this month",billing\nThe VPN drops every hour,network'}
          disabled={sending}
          style={{ fontFamily: 'monospace' }}
        />
        <Flex gap={8} wrap align="center">
          <Upload
            accept=".csv,text/csv"
            showUploadList={false}
            beforeUpload={(file) => {
              void file.text().then((text) => { setCsv(text); setFileName(file.name); setResult(null); });
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} disabled={sending}>Upload .csv</Button>
          </Upload>
          {fileName && <Typography.Text type="secondary">Loaded {fileName}</Typography.Text>}
          <Button type="primary" onClick={() => void send()} disabled={!parsed || parsed.examples.length === 0} loading={sending}>
            {parsed && parsed.examples.length > 0
              ? `Send ${parsed.examples.length.toLocaleString()} example${parsed.examples.length === 1 ? '' : 's'}${parsed.examples.length > MAX_BATCH ? ` in ${toBatches(parsed.examples).length} batches` : ''}`
              : 'Send examples'}
          </Button>
        </Flex>
        {parsed && (
          <Typography.Text data-testid="csv-summary">
            {parsed.examples.length.toLocaleString()} example{parsed.examples.length === 1 ? '' : 's'} in {parsed.labels.length} categor{parsed.labels.length === 1 ? 'y' : 'ies'}
            {parsed.labels.length > 0 && <> ({parsed.labels.slice(0, 8).join(', ')}{parsed.labels.length > 8 ? ', …' : ''})</>}
            {parsed.problems.length > 0 && <Typography.Text type="warning">; {parsed.problems.length} row{parsed.problems.length === 1 ? '' : 's'} skipped</Typography.Text>}
          </Typography.Text>
        )}
        {parsed && parsed.problems.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title="These rows will be skipped"
            description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{parsed.problems.slice(0, 10).map((p) => <li key={p.line}>Line {p.line}: {p.message}</li>)}{parsed.problems.length > 10 && <li>… and {parsed.problems.length - 10} more</li>}</ul>}
          />
        )}
        {progress && <Progress percent={Math.round((progress.sent / Math.max(1, progress.total)) * 100)} aria-label="Examples sent" />}
        {result && !result.error && (
          <Alert type="success" showIcon role="status" title={`Sent ${result.report.sent.toLocaleString()} examples (${result.report.added.toLocaleString()} new)`} description={result.report.labelsAdded.length ? `New categories: ${result.report.labelsAdded.join(', ')}. The classifier retrains in the background.` : 'The classifier retrains in the background.'} />
        )}
        {result?.error !== undefined && (
          <Alert type="error" showIcon role="alert" title={`Stopped after ${result.report.sent.toLocaleString()} examples`} description={`${describeError(result.error)} The batches before the failure were stored; fix the problem and send the rest again (duplicates are not stored twice).`} />
        )}
      </Flex>
    </Card>
  );
}
