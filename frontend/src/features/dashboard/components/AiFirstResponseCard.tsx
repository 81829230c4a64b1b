import { Card, Col, Empty, Flex, Row, Statistic, Table, Typography } from 'antd';
import { formatPercent } from '@/lib/format';
import type { DashboardData } from '../summary';

/** The AI first response in the range: what it answered, how customers took it, why it declined, and how many
 * first responses came from the AI and how many from a person. */
export function AiFirstResponseCard({ data }: { data: DashboardData }) {
  const auto = data.ai.autoReply;
  const { ai: aiFirst, human } = data.firstResponses;
  const nothing = auto.sent + auto.declinedTotal + auto.deflected === 0;
  return (
    <Card title="AI first response" size="small" data-testid="ai-first-response">
      {nothing ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="The AI has not decided on a ticket in this range (is it on under Settings → AI?)." />
      ) : (
        <Row gutter={[24, 16]}>
          <Col xs={24} lg={12}>
            <Flex gap={32} wrap>
              <Statistic title="AI answers sent" value={auto.sent} data-testid="stat-ai-sent" />
              <Statistic title="Resolved by AI" value={auto.resolved} suffix={auto.resolvedRate === null ? undefined : <Typography.Text type="secondary" style={{ fontSize: 14 }}>({formatPercent(auto.resolvedRate)})</Typography.Text>} data-testid="stat-ai-resolved" />
              <Statistic title="Reopened after AI" value={auto.reopened} data-testid="stat-ai-reopened" />
              <Statistic title="Deflected before a ticket" value={auto.deflected} data-testid="stat-ai-deflected" />
            </Flex>
            <Flex gap={32} wrap style={{ marginTop: 16 }}>
              <Statistic title="First responses by the AI" value={aiFirst} data-testid="stat-fr-ai" />
              <Statistic title="First responses by a person" value={human} data-testid="stat-fr-human" />
            </Flex>
          </Col>
          <Col xs={24} lg={12}>
            <Typography.Title level={5} style={{ marginTop: 0 }}>Declined ({auto.declinedTotal})</Typography.Title>
            {auto.declined.length === 0 ? (
              <Typography.Text type="secondary">None declined.</Typography.Text>
            ) : (
              <Table size="small" pagination={false} rowKey="key" data-testid="ai-declined"
                dataSource={auto.declined}
                columns={[{ title: 'Reason', dataIndex: 'label' }, { title: 'Tickets', dataIndex: 'count', align: 'right' }]} />
            )}
          </Col>
          {auto.byCategory.length > 0 && (
            <Col span={24}>
              <Table size="small" pagination={false} rowKey="key" data-testid="ai-by-category"
                dataSource={auto.byCategory}
                columns={[
                  { title: 'Category', dataIndex: 'label' },
                  { title: 'Sent', dataIndex: 'sent', align: 'right' },
                  { title: 'Resolved by AI', dataIndex: 'resolved', align: 'right' },
                  { title: 'Reopened', dataIndex: 'reopened', align: 'right' },
                  { title: 'Deflected', dataIndex: 'deflected', align: 'right' },
                ]} />
            </Col>
          )}
        </Row>
      )}
    </Card>
  );
}
