import { Card, Descriptions, Flex, Typography } from 'antd';
import type { Ticket } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';
import { SlaChip } from './SlaChip';

function When({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <Typography.Text type="secondary">—</Typography.Text>;
  return <span title={formatDateTime(iso)}>{formatDateTime(iso)} <Typography.Text type="secondary">({formatRelative(iso)})</Typography.Text></span>;
}

/** The ticket's SLA: due times, when they were met, the state, and whether the clock is paused. */
export function SlaPanel({ ticket }: { ticket: Ticket }) {
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  return (
    <Card title="SLA" size="small" extra={<SlaChip ticket={ticket} />} data-testid="sla-panel">
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'fr-due', label: 'First response due', children: <When iso={ticket.first_response_due} /> },
          { key: 'fr-at', label: 'First responded', children: ticket.first_responded_at ? <When iso={ticket.first_responded_at} /> : <Typography.Text type="secondary">Not yet</Typography.Text> },
          { key: 'res-due', label: 'Resolution due', children: <When iso={ticket.resolution_due} /> },
          { key: 'res-at', label: 'Resolved', children: ticket.resolved_at ? <When iso={ticket.resolved_at} /> : <Typography.Text type="secondary">Not yet</Typography.Text> },
        ]}
      />
      {ticket.sla_paused && !done && (
        <Flex style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">The clock is paused while the ticket waits on the customer (pending); it resumes when they answer or an agent moves it on.</Typography.Text>
        </Flex>
      )}
    </Card>
  );
}
