import { Col, Form, Input, Row, Select } from 'antd';
import type { Rule } from 'antd/es/form';
import { PRIORITIES, STATUSES } from '@/api/types';
import { humanize, parseTags } from '@/lib/format';
import { UserSelect } from '@/components/users/UserSelect';

export const MAX_TITLE = 200;
export const MAX_CONTENT = 50_000;
export const MAX_TAGS = 20;
export const MAX_TAG = 40;

/** Client-side copies of the API's rules, so mistakes show while typing (the API checks again). */
export const titleRules: Rule[] = [
  { required: true, whitespace: true, message: 'Give the ticket a title' },
  { max: MAX_TITLE, message: `At most ${MAX_TITLE} characters` },
  { pattern: /^[^\r\n]*$/, message: 'A title is a single line' },
];
export const contentRules: Rule[] = [
  { required: true, whitespace: true, message: 'Describe the problem' },
  { max: MAX_CONTENT, message: `At most ${MAX_CONTENT.toLocaleString()} characters` },
];
export const tagRules: Rule[] = [
  {
    validator: async (_rule, value: string[] | undefined) => {
      const tags = parseTags(value ?? []);
      if (tags.length > MAX_TAGS) throw new Error(`At most ${MAX_TAGS} tags`);
      const long = tags.find((t) => t.length > MAX_TAG);
      if (long) throw new Error(`"${long.slice(0, 20)}…" is longer than ${MAX_TAG} characters`);
    },
  },
];

export interface TicketFormValues {
  title: string;
  content: string;
  requester_id?: number;
  assignee_id?: number | null;
  status: (typeof STATUSES)[number];
  priority: (typeof PRIORITIES)[number];
  tags: string[];
}

export const TICKET_FIELDS = ['title', 'content', 'requester_id', 'assignee_id', 'status', 'priority', 'tags'] as const;

/** The fields of a ticket form; used by New ticket and the edit modal. */
export function TicketFields({ withAssignee = false }: { withAssignee?: boolean }) {
  return (
    <>
      <Form.Item label="Title" name="title" rules={titleRules} hasFeedback>
        <Input maxLength={MAX_TITLE + 1} showCount={{ formatter: ({ count }) => `${count} / ${MAX_TITLE}` }} />
      </Form.Item>
      <Form.Item label="Content" name="content" rules={contentRules}>
        <Input.TextArea autoSize={{ minRows: 5, maxRows: 16 }} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item label="Requester" name="requester_id" rules={[{ required: true, message: 'Choose who asked' }]}>
            <UserSelect />
          </Form.Item>
        </Col>
        {withAssignee && (
          <Col xs={24} md={12}>
            <Form.Item label="Assignee" name="assignee_id">
              <UserSelect roles={['agent', 'admin']} allowClear placeholder="Unassigned" />
            </Form.Item>
          </Col>
        )}
      </Row>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item label="Status" name="status">
            <Select options={STATUSES.map((s) => ({ value: s, label: humanize(s) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label="Priority" name="priority">
            <Select options={PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        label="Tags"
        name="tags"
        rules={tagRules}
        extra="Type a tag and press Enter, or paste several separated by commas."
        normalize={(value: string[]) => parseTags(value ?? [])}
      >
        <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} placeholder="e.g. vpn, login" />
      </Form.Item>
    </>
  );
}
