import { SendOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Input, Switch, type FormInstance } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { UserSelect } from '@/components/users/UserSelect';
import { useCreateReply } from '@/api/tickets/create-reply';
import { MAX_CONTENT } from '@/components/tickets/TicketFields';
import { clearSuggestion } from '@/lib/suggestion-draft';
import { AttachmentUploader } from '@/components/tickets/AttachmentUploader';
import type { Attachment } from '@/api/types';

export interface ReplyFormValues {
  author_id?: number;
  internal: boolean;
  content: string;
  /** Set when the agent inserted the AI draft: the reply is sent with `from_suggestion: true` (analytics). */
  from_suggestion?: boolean;
  /** Files uploaded for this reply (sent as `attachment_ids`). */
  attachments?: Attachment[];
}

interface Props {
  ticketId: number;
  form: FormInstance<ReplyFormValues>;
  defaultAuthorId: number;
}

/** The reply box. Its form instance belongs to the page, so the AI panel can fill in a draft. */
export function ReplyForm({ ticketId, form, defaultAuthorId }: Props) {
  const create = useCreateReply();
  const { message } = App.useApp();
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const internal = Form.useWatch('internal', form);
  const [uploaderKey, setUploaderKey] = useState(0);

  const onFinish = (values: ReplyFormValues) => {
    setProblem(null);
    // The reply shows in the thread at once (optimistic), so the box empties at once too: whatever the
    // agent types next must not be wiped when the server answers.
    // Not a visible field: the page sets it when it inserts the AI draft (read from the form's store).
    const fromSuggestion = Boolean(form.getFieldValue('from_suggestion'));
    const attachments = values.attachments ?? [];
    form.setFieldsValue({ content: '', from_suggestion: false, attachments: [] });
    setUploaderKey((key) => key + 1);
    create.mutate(
      { ticketId, body: { content: values.content, author_id: values.author_id, internal: values.internal, ...(fromSuggestion ? { from_suggestion: true } : {}),
        ...(attachments.length > 0 ? { attachment_ids: attachments.map((a) => a.id) } : {}) } },
      {
        onSuccess: () => {
          if (fromSuggestion) clearSuggestion(ticketId);
          message.success(values.internal ? t('tickets.reply.noteAdded') : t('tickets.reply.sent'));
        },
        onError: (error) => {
          if (!form.getFieldValue('content')) form.setFieldsValue({ content: values.content, from_suggestion: fromSuggestion });
          if (attachments.length > 0) setProblem(t('tickets.reply.filesNotSent'));
          const unplaced = applyServerErrors(form, error, ['content', 'author_id', 'internal']);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };

  return (
    <Form<ReplyFormValues>
      form={form}
      name="reply"
      layout="vertical"
      initialValues={{ author_id: defaultAuthorId, internal: false, content: '', from_suggestion: false, attachments: [] }}
      onFinish={onFinish}
    >
      {problem && <Alert type="error" showIcon role="alert" title={t('tickets.reply.notSent')} description={problem} style={{ marginBottom: 12 }} />}
      <Flex gap={16} wrap>
        <Form.Item label={t('tickets.reply.author')} name="author_id" rules={[{ required: true, message: t('tickets.reply.authorRequired') }]} style={{ minWidth: 0, flex: '1 1 240px' }}>
          <UserSelect />
        </Form.Item>
        <Form.Item label={t('common.thread.internalNote')} name="internal" valuePropName="checked" tooltip={t('tickets.reply.internalHint')}>
          <Switch />
        </Form.Item>
      </Flex>
      <Form.Item
        label={internal ? t('tickets.reply.noteLabel') : t('tickets.reply.label')}
        name="content"
        rules={[{ required: true, whitespace: true, message: t('common.reply.empty') }, { max: MAX_CONTENT, message: t('common.reply.tooLong') }]}
      >
        <Input.TextArea autoSize={{ minRows: 4, maxRows: 14 }} placeholder={t('tickets.reply.placeholder')} style={internal ? { background: '#fffbe6' } : undefined} />
      </Form.Item>
      <Form.Item name="attachments" valuePropName="value">
        <AttachmentUploader key={uploaderKey} ticketId={ticketId} />
      </Form.Item>
      <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={create.isPending}>
        {internal ? t('tickets.reply.addNote') : t('tickets.reply.send')}
      </Button>
    </Form>
  );
}
