import { Alert, App, Button, Card, Flex, Form, Input, Rate, Typography } from 'antd';
import { useState } from 'react';
import type { Ticket } from '@/api/types';
import { describeError } from '@/lib/api-client';
import { useRateTicket } from '@/api/tickets/rate-ticket';
import { describeRatingError, MAX_RATING_COMMENT, ratingState, SCORE_WORDS } from '@/lib/rating';

interface Values { score: number; comment?: string }

/** The requester rates a resolved ticket 1-5 with a comment; they can change it until it is closed. */
export function RatingWidget({ ticket }: { ticket: Ticket }) {
  const state = ratingState(ticket);
  const rate = useRateTicket();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [editing, setEditing] = useState(false);
  const score = Form.useWatch('score', form);
  const rated = typeof ticket.csat_score === 'number';
  const showForm = state.editable && (!rated || editing);

  const onFinish = (values: Values) => {
    rate.mutate(
      { ticketId: ticket.id, rating: { score: values.score, comment: values.comment?.trim() || null } },
      {
        onSuccess: () => {
          message.success(rated ? 'Rating changed' : 'Thank you for your rating');
          setEditing(false);
        },
      },
    );
  };

  const conflict = describeRatingError(rate.error);
  return (
    <Card title="Rate the help you got" data-testid="rating-widget">
      <Typography.Paragraph type="secondary" data-testid="rating-hint">{state.hint}</Typography.Paragraph>
      {rate.isError && (
        <Alert type={conflict ? 'warning' : 'error'} showIcon role="alert" title={conflict ? 'Your rating was not saved' : 'Could not save your rating'} description={conflict ?? describeError(rate.error)} style={{ marginBottom: 12 }} />
      )}
      {rated && !showForm && (
        <Flex vertical gap={4} data-testid="my-rating">
          <Flex gap={8} align="center">
            <Rate disabled value={ticket.csat_score ?? 0} aria-label={`Your rating: ${ticket.csat_score} out of 5`} />
            <Typography.Text strong>{ticket.csat_score}/5</Typography.Text>
          </Flex>
          {ticket.csat_comment && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>“{ticket.csat_comment}”</Typography.Paragraph>}
          {state.editable && <Button style={{ alignSelf: 'flex-start', marginTop: 8 }} onClick={() => { form.setFieldsValue({ score: ticket.csat_score ?? undefined, comment: ticket.csat_comment ?? '' }); setEditing(true); rate.reset(); }}>Change rating</Button>}
        </Flex>
      )}
      {showForm && (
        <Form<Values> form={form} layout="vertical" name="rating" onFinish={onFinish} initialValues={{ score: ticket.csat_score ?? undefined, comment: ticket.csat_comment ?? '' }}>
          <Form.Item label="Your rating" name="score" rules={[{ required: true, message: 'Pick 1 to 5 stars' }]} extra={score ? SCORE_WORDS[score - 1] : undefined}>
            <Rate tooltips={[...SCORE_WORDS]} aria-label="Your rating" />
          </Form.Item>
          <Form.Item label="Comment (optional)" name="comment" rules={[{ max: MAX_RATING_COMMENT, message: `At most ${MAX_RATING_COMMENT} characters` }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} placeholder="What went well, what could be better?" />
          </Form.Item>
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" loading={rate.isPending}>{rated ? 'Save rating' : 'Send rating'}</Button>
            {rated && <Button onClick={() => setEditing(false)}>Cancel</Button>}
          </Flex>
        </Form>
      )}
    </Card>
  );
}
