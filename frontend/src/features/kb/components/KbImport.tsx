import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Collapse, Flex, Form, Input, InputNumber, Row, Space, Switch, Typography, Upload } from 'antd';
import { useState } from 'react';
import { describeError } from '@/lib/api-client';
import { useIngestDocuments } from '../api/ingest';
import { ACCEPTED_FILES, acceptedFile, buildIngest, MAX_FILE_BYTES, overlapProblem, type ImportFile, type ImportValues } from '../import-form';

const DEFAULTS: ImportValues = { chunk: true, chunk_size: 500, chunk_overlap: 50 };

export function KbImport() {
  const [form] = Form.useForm<ImportValues>();
  const [files, setFiles] = useState<ImportFile[]>([]);
  const [insertedIds, setInsertedIds] = useState<string[] | null>(null);
  const ingest = useIngestDocuments();
  const { message } = App.useApp();
  const chunk = Form.useWatch('chunk', form) ?? true;

  const readFile = async (file: File) => {
    if (!acceptedFile(file.name)) {
      message.error(`${file.name}: only ${ACCEPTED_FILES.join(', ')} files can be imported`);
      return Upload.LIST_IGNORE;
    }
    if (file.size > MAX_FILE_BYTES) {
      message.error(`${file.name} is larger than ${Math.round(MAX_FILE_BYTES / 1000)} kB; split it first`);
      return Upload.LIST_IGNORE;
    }
    const text = await file.text();
    setFiles((current) => [...current.filter((f) => f.name !== file.name), { name: file.name, text }]);
    return false; // read in the browser; nothing is uploaded until Import
  };

  const onFinish = (values: ImportValues) => {
    const body = buildIngest(values, files);
    if (body.documents.length === 0) {
      form.setFields([{ name: 'text', errors: ['Paste some text or add a .md/.txt file'] }]);
      return;
    }
    setInsertedIds(null);
    ingest.mutate(body, {
      onSuccess: (result) => {
        setInsertedIds(result.ids);
        setFiles([]);
        form.setFieldsValue({ text: '', source: '', title: '' });
        message.success(`Imported ${body.documents.length} document${body.documents.length === 1 ? '' : 's'} as ${result.ids.length} chunk${result.ids.length === 1 ? '' : 's'}`);
      },
    });
  };

  return (
    <Card title="Import">
      <Form<ImportValues> form={form} name="kb-import" layout="vertical" initialValues={DEFAULTS} onFinish={onFinish}>
        <Row gutter={16}>
          <Col xs={24} lg={14}>
            <Form.Item label="Paste text" name="text" extra="Markdown or plain text.">
              <Input.TextArea autoSize={{ minRows: 6, maxRows: 14 }} placeholder="# How to reset your VPN password…" />
            </Form.Item>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item label="Source" name="source" extra='Where it comes from, e.g. "vpn-guide.md" (default "pasted").'>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item label="Title" name="title">
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
            </Row>
          </Col>
          <Col xs={24} lg={10}>
            <Form.Item label="Or upload files">
              <Upload.Dragger
                accept={ACCEPTED_FILES.join(',')}
                multiple
                beforeUpload={readFile}
                fileList={files.map((f) => ({ uid: f.name, name: f.name, status: 'done' as const }))}
                onRemove={(file) => setFiles((current) => current.filter((f) => f.name !== file.name))}
              >
                <p className="ant-upload-drag-icon"><InboxOutlined /></p>
                <p className="ant-upload-text">Click or drop .md / .txt files here</p>
              </Upload.Dragger>
            </Form.Item>
            <Space align="start" wrap>
              <Form.Item label="Chunking" name="chunk" valuePropName="checked">
                <Switch />
              </Form.Item>
              <Form.Item label="Chunk size" name="chunk_size" rules={[{ required: chunk, message: 'Required' }]}>
                <InputNumber min={50} max={8000} step={50} disabled={!chunk} />
              </Form.Item>
              <Form.Item
                label="Overlap"
                name="chunk_overlap"
                dependencies={['chunk_size']}
                rules={[
                  { required: chunk, message: 'Required' },
                  ({ getFieldValue }) => ({
                    validator: async (_rule, value: number | null) => {
                      const problem = chunk ? overlapProblem(getFieldValue('chunk_size') as number | null, value) : null;
                      if (problem) throw new Error(problem);
                    },
                  }),
                ]}
              >
                <InputNumber min={0} max={4000} step={10} disabled={!chunk} />
              </Form.Item>
            </Space>
          </Col>
        </Row>
        {ingest.isError && <Alert type="error" showIcon role="alert" title="Import failed" description={describeError(ingest.error)} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" loading={ingest.isPending}>Import</Button>
      </Form>
      {insertedIds && (
        <Alert
          style={{ marginTop: 16 }}
          type="success"
          showIcon
          title={`Inserted ${insertedIds.length} chunk${insertedIds.length === 1 ? '' : 's'}`}
          description={
            <Collapse
              ghost
              size="small"
              items={[{
                key: 'ids',
                label: 'Chunk ids',
                children: (
                  <Flex wrap gap={4} data-testid="inserted-ids">
                    {insertedIds.map((id) => <Typography.Text key={id} code copyable>{id}</Typography.Text>)}
                  </Flex>
                ),
              }]}
            />
          }
        />
      )}
    </Card>
  );
}
