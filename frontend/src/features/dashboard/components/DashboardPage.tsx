import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Flex, Row, Skeleton, Statistic, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDuration, formatPercent } from '@/lib/format';
import { useSummary } from '../api/get-summary';
import { lastDays, rangeFromSearch, type DashboardData } from '../summary';
import { AiFirstResponseCard } from './AiFirstResponseCard';

// The charting library (recharts) loads with this chunk only when the dashboard is opened, and the charts
// themselves one step later, so the numbers show before the charts are ready.
const Charts = lazy(() => import('./DashboardCharts'));

const PRESETS = [7, 30, 90].map((days) => {
  const { from, to } = lastDays(days);
  return { label: `Last ${days} days`, value: [dayjs(from), dayjs(to)] as [Dayjs, Dayjs] };
});

export default function DashboardPage() {
  const [search, setSearch] = useSearchParams();
  const range = rangeFromSearch(search);
  const summary = useSummary(range);
  const data = summary.data;

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>Dashboard</Typography.Title>
        <Flex gap={8} wrap>
          <DatePicker.RangePicker
            aria-label="Date range"
            allowClear={false}
            value={[dayjs(range.from), dayjs(range.to)]}
            presets={PRESETS}
            disabledDate={(day) => day.isAfter(dayjs(), 'day')}
            onChange={(values) => {
              const [start, end] = values ?? [];
              if (start && end) setSearch({ from: start.format('YYYY-MM-DD'), to: end.format('YYYY-MM-DD') });
            }}
          />
          <Button icon={<ReloadOutlined spin={summary.isFetching && !summary.isLoading} />} onClick={() => void summary.refetch()}>Refresh</Button>
        </Flex>
      </Flex>
      <Typography.Text type="secondary">
        {range.from} to {range.to} (UTC days). Backlog figures are current, whatever the range.
      </Typography.Text>
      {summary.isError && <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />}
      {summary.isLoading && <Skeleton active paragraph={{ rows: 12 }} />}
      {data && <Dashboard data={data} />}
    </Flex>
  );
}

function Stat({ title, value, hint, testId, danger }: { title: string; value: string | number; hint?: string; testId?: string; danger?: boolean }) {
  return (
    <Card size="small" style={{ height: '100%' }}>
      <Tooltip title={hint}>
        <Statistic title={title} value={value} styles={danger ? { content: { color: '#cf1322' } } : undefined} data-testid={testId} />
      </Tooltip>
    </Card>
  );
}

function Dashboard({ data }: { data: DashboardData }) {
  const { firstResponse: fr, resolution: res, csat, ai, breaches } = data;
  return (
    <Flex vertical gap={16}>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={8} xl={4}><Stat title="Created" value={data.totals.created} testId="stat-created" /></Col>
        <Col xs={12} md={8} xl={4}><Stat title="Resolved" value={data.totals.resolved} testId="stat-resolved" /></Col>
        <Col xs={12} md={8} xl={4}><Stat title="Open backlog (now)" value={data.openTotal} hint="Open, in progress and pending tickets" /></Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title="SLA breaches" value={breaches.total} testId="stat-breaches" danger={breaches.total > 0} hint={`First response: ${breaches.firstResponse} · Resolution: ${breaches.resolution}`} />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title="CSAT average" value={csat.average === null ? '—' : `${csat.average.toFixed(2)} / 5`} testId="stat-csat" hint={`${csat.count} rating${csat.count === 1 ? '' : 's'}`} />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title="AI suggestions accepted" value={formatPercent(ai.acceptanceRate)} testId="stat-ai-acceptance" hint={`${ai.categoryAccepted} categories applied and ${ai.draftsUsed} drafts used, of ${ai.suggestions} suggestions`} />
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card title="First response time" size="small">
            <Flex gap={32} wrap>
              <Statistic title="Median" value={formatDuration(fr.medianS)} data-testid="stat-fr-median" />
              <Statistic title="90th percentile" value={formatDuration(fr.p90S)} />
              <Statistic title="Tickets answered" value={fr.count} />
            </Flex>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title="Resolution time" size="small">
            <Flex gap={32} wrap>
              <Statistic title="Median" value={formatDuration(res.medianS)} data-testid="stat-res-median" />
              <Statistic title="90th percentile" value={formatDuration(res.p90S)} />
              <Statistic title="Tickets resolved" value={res.count} />
            </Flex>
          </Card>
        </Col>
      </Row>
      <AiFirstResponseCard data={data} />
      <Suspense fallback={<Skeleton active paragraph={{ rows: 10 }} />}>
        <Charts data={data} />
      </Suspense>
      {data.totals.created === 0 && data.openTotal === 0 && (
        <EmptyState description={<span>No tickets in this range yet. <Link to="/tickets/new">Create a ticket</Link> or pick a longer range.</span>} />
      )}
    </Flex>
  );
}
