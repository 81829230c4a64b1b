import { Col, Form, Input, Row, Select } from 'antd';
import type { Rule } from 'antd/es/form';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { PRIORITIES, STATUSES } from '@/api/types';
import { formatNumber, parseTags } from '@/lib/format';
import { UserSelect } from '@/components/users/UserSelect';

export const MAX_TITLE = 200;
export const MAX_CONTENT = 50_000;
export const MAX_TAGS = 20;
export const MAX_TAG = 40;

const t = (key: string, options: Record<string, unknown> = {}): string => i18next.t(key, options);

/** Client-side copies of the API's rules, so mistakes show while typing (the API checks again). `subject` names
 * the field the way the form's label does ("Subject" on the requester's form, "Title" on the agents'). */
export function titleRules(subject: 'title' | 'subject' = 'title'): Rule[] {
  return [
    { required: true, whitespace: true, message: t(`common.ticketForm.${subject}Required`) },
    { max: MAX_TITLE, message: t('common.ticketForm.atMost', { count: MAX_TITLE }) },
    { pattern: /^[^\r\n]*$/, message: t(`common.ticketForm.${subject}OneLine`) },
  ];
}
export function contentRules(): Rule[] {
  return [
    { required: true, whitespace: true, message: t('common.ticketForm.contentRequired') },
    { max: MAX_CONTENT, message: t('common.ticketForm.atMostText', { count: formatNumber(MAX_CONTENT) }) },
  ];
}
export function tagRules(): Rule[] {
  return [
    {
      validator: async (_rule, value: string[] | undefined) => {
        const tags = parseTags(value ?? []);
        if (tags.length > MAX_TAGS) throw new Error(t('common.ticketForm.tooManyTags', { count: MAX_TAGS }));
        const long = tags.find((tag) => tag.length > MAX_TAG);
        if (long) throw new Error(t('common.ticketForm.tagTooLong', { tag: long.slice(0, 20), count: MAX_TAG }));
      },
    },
  ];
}

export interface TicketFormValues {
  title: string;
  content?: string;
  requester_id?: number;
  assignee_id?: number | null;
  status: (typeof STATUSES)[number];
  priority: (typeof PRIORITIES)[number];
  tags: string[];
}

export const TICKET_FIELDS = ['title', 'content', 'requester_id', 'assignee_id', 'status', 'priority', 'tags'] as const;

/**
 * The fields of a ticket form; used by New ticket and the edit modal. The edit modal leaves the content out:
 * what the customer wrote is not rewritten (the API refuses it too); staff change the title and the fields.
 */
export function TicketFields({ withAssignee = false, withContent = true }: { withAssignee?: boolean; withContent?: boolean }) {
  const { t: tr } = useTranslation();
  return (
    <>
      <Form.Item label={tr('common.ticketForm.title')} name="title" rules={titleRules()} hasFeedback>
        <Input maxLength={MAX_TITLE + 1} showCount={{ formatter: ({ count }) => `${count} / ${MAX_TITLE}` }} />
      </Form.Item>
      {withContent && (
        <Form.Item label={tr('common.ticketForm.content')} name="content" rules={contentRules()}>
          <Input.TextArea autoSize={{ minRows: 5, maxRows: 16 }} />
        </Form.Item>
      )}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item label={tr('common.ticketForm.requester')} name="requester_id" rules={[{ required: true, message: tr('common.ticketForm.requesterRequired') }]}>
            <UserSelect />
          </Form.Item>
        </Col>
        {withAssignee && (
          <Col xs={24} md={12}>
            <Form.Item label={tr('common.assignee.label')} name="assignee_id">
              <UserSelect roles={['agent', 'admin']} allowClear placeholder={tr('common.unassigned')} />
            </Form.Item>
          </Col>
        )}
      </Row>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item label={tr('common.ticketForm.status')} name="status">
            <Select options={STATUSES.map((s) => ({ value: s, label: tr(`common.status.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={tr('common.ticketForm.priority')} name="priority">
            <Select options={PRIORITIES.map((p) => ({ value: p, label: tr(`common.priority.${p}`) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        label={tr('common.ticketForm.tags')}
        name="tags"
        rules={tagRules()}
        extra={tr('common.ticketForm.tagsHint')}
        normalize={(value: string[]) => parseTags(value ?? [])}
      >
        <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} placeholder={tr('common.ticketForm.tagsPlaceholder')} />
      </Form.Item>
    </>
  );
}
