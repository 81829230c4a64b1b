import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Collapse, Flex, Form, Input, InputNumber, Row, Space, Switch, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '@/lib/api-client';
import { useIngestDocuments } from '../api/ingest';
import { ACCEPTED_FILES, acceptedFile, buildIngest, MAX_FILE_BYTES, overlapProblem, type ImportFile, type ImportValues } from '../import-form';

const DEFAULTS: ImportValues = { chunk: true, chunk_size: 500, chunk_overlap: 50 };

export function KbImport() {
  const { t } = useTranslation();
  const [form] = Form.useForm<ImportValues>();
  const [files, setFiles] = useState<ImportFile[]>([]);
  const [insertedIds, setInsertedIds] = useState<string[] | null>(null);
  const ingest = useIngestDocuments();
  const { message } = App.useApp();
  const chunk = Form.useWatch('chunk', form) ?? true;

  const readFile = async (file: File) => {
    if (!acceptedFile(file.name)) {
      message.error(t('kb.import.wrongType', { name: file.name, types: ACCEPTED_FILES.join(', ') }));
      return Upload.LIST_IGNORE;
    }
    if (file.size > MAX_FILE_BYTES) {
      message.error(t('kb.import.tooLarge', { name: file.name, kb: Math.round(MAX_FILE_BYTES / 1000) }));
      return Upload.LIST_IGNORE;
    }
    const text = await file.text();
    setFiles((current) => [...current.filter((f) => f.name !== file.name), { name: file.name, text }]);
    return false; // read in the browser; nothing is uploaded until Import
  };

  const onFinish = (values: ImportValues) => {
    const body = buildIngest(values, files);
    if (body.documents.length === 0) {
      form.setFields([{ name: 'text', errors: [t('kb.import.nothing')] }]);
      return;
    }
    setInsertedIds(null);
    ingest.mutate(body, {
      onSuccess: (result) => {
        setInsertedIds(result.ids);
        setFiles([]);
        form.setFieldsValue({ text: '', source: '', title: '' });
        message.success(t('kb.import.imported', { count: body.documents.length, chunks: result.ids.length }));
      },
    });
  };

  return (
    <Card title={t('kb.import.title')}>
      <Form<ImportValues> form={form} name="kb-import" layout="vertical" initialValues={DEFAULTS} onFinish={onFinish}>
        <Row gutter={16}>
          <Col xs={24} lg={14}>
            <Form.Item label={t('kb.import.pasteText')} name="text" extra={t('kb.import.pasteHint')}>
              <Input.TextArea autoSize={{ minRows: 6, maxRows: 14 }} placeholder={t('kb.import.placeholder')} />
            </Form.Item>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item label={t('kb.import.source')} name="source" extra={t('kb.import.sourceHint')}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item label={t('kb.import.docTitle')} name="title">
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
            </Row>
          </Col>
          <Col xs={24} lg={10}>
            <Form.Item label={t('kb.import.upload')}>
              <Upload.Dragger
                accept={ACCEPTED_FILES.join(',')}
                multiple
                beforeUpload={readFile}
                fileList={files.map((f) => ({ uid: f.name, name: f.name, status: 'done' as const }))}
                onRemove={(file) => setFiles((current) => current.filter((f) => f.name !== file.name))}
              >
                <p className="ant-upload-drag-icon"><InboxOutlined /></p>
                <p className="ant-upload-text">{t('kb.import.dropHint')}</p>
              </Upload.Dragger>
            </Form.Item>
          </Col>
        </Row>
        <Collapse
          size="small"
          style={{ marginBottom: 16 }}
          items={[{
            key: 'advanced',
            label: t('kb.import.advanced'),
            forceRender: true,
            children: (
              <>
                <Typography.Paragraph style={{ color: '#595959' }}>{t('kb.import.advancedHint')}</Typography.Paragraph>
                <Space align="start" wrap>
                  <Form.Item label={t('kb.import.chunk')} name="chunk" valuePropName="checked" tooltip={t('kb.import.chunkHint')}>
                    <Switch />
                  </Form.Item>
                  <Form.Item label={t('kb.import.chunkSize')} name="chunk_size" tooltip={t('kb.import.chunkSizeHint')} rules={[{ required: chunk, message: t('kb.import.required') }]}>
                    <InputNumber min={100} max={4000} step={50} disabled={!chunk} />
                  </Form.Item>
                  <Form.Item
                    label={t('kb.import.overlap')}
                    name="chunk_overlap"
                    tooltip={t('kb.import.overlapHint')}
                    dependencies={['chunk_size']}
                    rules={[
                      { required: chunk, message: t('kb.import.required') },
                      ({ getFieldValue }) => ({
                        validator: async (_rule, value: number | null) => {
                          const problem = chunk ? overlapProblem(getFieldValue('chunk_size') as number | null, value) : null;
                          if (problem) throw new Error(t(problem));
                        },
                      }),
                    ]}
                  >
                    <InputNumber min={0} max={2000} step={10} disabled={!chunk} />
                  </Form.Item>
                </Space>
              </>
            ),
          }]}
        />
        {ingest.isError && <Alert type="error" showIcon role="alert" title={t('kb.import.failed')} description={describeError(ingest.error)} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" loading={ingest.isPending}>{t('kb.import.submit')}</Button>
      </Form>
      {insertedIds && (
        <Alert
          style={{ marginTop: 16 }}
          type="success"
          showIcon
          title={t('kb.import.inserted', { count: insertedIds.length })}
          description={
            <Collapse
              ghost
              size="small"
              items={[{
                key: 'ids',
                label: t('kb.import.ids'),
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
