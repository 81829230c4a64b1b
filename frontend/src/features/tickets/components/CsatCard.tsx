import { Card, Flex, Rate, Typography } from 'antd';
import type { Ticket } from '@/api/types';
import { formatDateTime } from '@/lib/format';
import { SCORE_WORDS } from '@/lib/rating';

/** The requester's satisfaction rating, as agents see it. */
export function CsatCard({ ticket }: { ticket: Ticket }) {
  const score = ticket.csat_score;
  return (
    <Card title="Satisfaction" size="small" data-testid="csat-card">
      {typeof score === 'number' ? (
        <Flex vertical gap={4}>
          <Flex gap={8} align="center">
            <Rate disabled value={score} aria-label={`Rated ${score} out of 5`} />
            <Typography.Text strong data-testid="csat-score">{score}/5</Typography.Text>
            <Typography.Text type="secondary">{SCORE_WORDS[score - 1]}</Typography.Text>
          </Flex>
          {ticket.csat_comment ? (
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }} data-testid="csat-comment">“{ticket.csat_comment}”</Typography.Paragraph>
          ) : (
            <Typography.Text type="secondary">No comment.</Typography.Text>
          )}
          {ticket.csat_at && <Typography.Text type="secondary" style={{ fontSize: 12 }}>First rated {formatDateTime(ticket.csat_at)}</Typography.Text>}
        </Flex>
      ) : (
        <Typography.Text type="secondary">
          {ticket.status === 'resolved' ? 'Waiting for the requester’s rating.' : ticket.status === 'closed' ? 'Closed without a rating.' : 'The requester can rate the ticket once it is resolved.'}
        </Typography.Text>
      )}
    </Card>
  );
}
