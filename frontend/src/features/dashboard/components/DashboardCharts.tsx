import { Card, Col, Flex, Row, Statistic, Typography } from 'antd';
import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { EmptyState } from '@/components/states';
import { PRIORITY_COLORS, STATUS_COLORS } from '@/components/chips';
import { formatPercent } from '@/lib/format';
import { allZero, attainmentByPriority, noActivity, type AttainmentRow, type CountRow, type DashboardData, type PriorityAttainment } from '../summary';

const BLUE = '#1677ff';
const GREEN = '#52c41a';
const RED = '#ff4d4f';
const PALETTE = ['#1677ff', '#13c2c2', '#52c41a', '#faad14', '#eb2f96', '#722ed1', '#fa8c16', '#2f54eb', '#a0d911', '#8c8c8c'];
// antd tag colour names -> hex, so the charts use the same colours as the chips.
const TAG_HEX: Record<string, string> = { blue: '#1677ff', gold: '#faad14', purple: '#722ed1', green: '#52c41a', default: '#8c8c8c', cyan: '#13c2c2', orange: '#fa8c16', red: '#f5222d' };

function ChartCard({ title, empty, emptyText, children, testId, extra }: { title: string; empty: boolean; emptyText: string; children: ReactNode; testId: string; extra?: ReactNode }) {
  return (
    <Card title={title} size="small" style={{ height: '100%' }} data-testid={testId} extra={extra}>
      {empty ? <EmptyState description={emptyText} /> : <div style={{ width: '100%', height: 260 }}>{children}</div>}
    </Card>
  );
}

function CountBars({ rows, colorOf, name }: { rows: CountRow[]; colorOf: (row: CountRow, index: number) => string; name: string }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Bar dataKey="count" name={name} isAnimationActive={false} maxBarSize={56}>
          {rows.map((row, index) => <Cell key={row.key} fill={colorOf(row, index)} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

function AttainmentBars({ rows }: { rows: AttainmentRow[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 24, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
        <Tooltip formatter={(value, _name, item) => {
          const row = (item as { payload?: AttainmentRow }).payload;
          return [`${value}% (${row?.met ?? 0} met, ${row?.breached ?? 0} breached)`, 'Within target'];
        }} />
        <Bar dataKey="percent" name="Within target" isAnimationActive={false} maxBarSize={28}>
          {rows.map((row) => <Cell key={row.key} fill={row.percent !== null && row.percent < 80 ? RED : GREEN} />)}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

function outcome(row: AttainmentRow | undefined): string {
  return row ? ` (${row.met} met, ${row.breached} breached)` : '';
}

function PriorityAttainmentBars({ rows }: { rows: PriorityAttainment[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} />
        <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
        <Tooltip formatter={(value, name, item) => {
          const row = (item as { payload?: PriorityAttainment }).payload;
          const detail = name === 'First response' ? outcome(row?.firstResponseRow) : outcome(row?.resolutionRow);
          return [value === null || value === undefined ? 'no outcome' : `${value}%${detail}`, name];
        }} />
        <Legend />
        <Bar dataKey="firstResponse" name="First response" fill={BLUE} isAnimationActive={false} maxBarSize={40} />
        <Bar dataKey="resolution" name="Resolution" fill={GREEN} isAnimationActive={false} maxBarSize={40} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export default function DashboardCharts({ data }: { data: DashboardData }) {
  const { ai, csat } = data;
  return (
    <Flex vertical gap={16}>
      <ChartCard title="Tickets created vs resolved per day" testId="chart-trend" empty={noActivity(data.days)} emptyText="No tickets were created or resolved in this range.">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data.days} margin={{ top: 8, right: 16, left: -16, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={16} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            <Line type="monotone" dataKey="created" name="Created" stroke={BLUE} strokeWidth={2} dot={data.days.length <= 31} isAnimationActive={false} />
            <Line type="monotone" dataKey="resolved" name="Resolved" stroke={GREEN} strokeWidth={2} dot={data.days.length <= 31} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ChartCard title="Backlog by status (now)" testId="chart-backlog-status" empty={allZero(data.backlogByStatus)} emptyText="No tickets yet.">
            <CountBars rows={data.backlogByStatus} name="Tickets" colorOf={(row) => TAG_HEX[STATUS_COLORS[row.key as keyof typeof STATUS_COLORS]] ?? BLUE} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="Open backlog by priority (now)" testId="chart-backlog-priority" empty={allZero(data.backlogByPriority)} emptyText="Nothing open. The queue is clear.">
            <CountBars rows={data.backlogByPriority} name="Open tickets" colorOf={(row) => TAG_HEX[PRIORITY_COLORS[row.key as keyof typeof PRIORITY_COLORS]] ?? BLUE} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard
            title="SLA attainment by priority (% within target)"
            testId="chart-sla-priority"
            empty={data.slaByPriority.length === 0 && data.firstResponseByPriority.length === 0}
            emptyText="No first response or resolution in this range, so no target was met or missed."
          >
            <PriorityAttainmentBars rows={attainmentByPriority(data)} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="SLA attainment by agent (resolution)" testId="chart-sla-agent" empty={data.slaByAgent.length === 0} emptyText="No resolutions by an agent in this range.">
            <AttainmentBars rows={data.slaByAgent} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard
            title="Satisfaction (CSAT)"
            testId="chart-csat"
            empty={csat.count === 0}
            emptyText="No ratings in this range yet."
            extra={csat.average !== null && <Typography.Text strong>{csat.average.toFixed(2)} / 5 from {csat.count} rating{csat.count === 1 ? '' : 's'}</Typography.Text>}
          >
            <CountBars rows={csat.distribution} name="Ratings" colorOf={(_row, index) => ['#f5222d', '#fa8c16', '#faad14', '#a0d911', '#52c41a'][index] ?? BLUE} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="AI category mix" testId="chart-ai-mix" empty={ai.categoryMix.length === 0} emptyText="The classifier has not classified a ticket in this range.">
            <ResponsiveContainer width="100%" height="100%">
              <PieChart>
                <Pie data={ai.categoryMix} dataKey="count" nameKey="label" outerRadius={90} innerRadius={45} isAnimationActive={false} label={({ name, percent }) => `${name} ${formatPercent(percent)}`}>
                  {ai.categoryMix.map((row, index) => <Cell key={row.key} fill={PALETTE[index % PALETTE.length]} />)}
                </Pie>
                <Tooltip />
              </PieChart>
            </ResponsiveContainer>
          </ChartCard>
        </Col>
        <Col span={24}>
          <Card title="AI suggestions" size="small" data-testid="ai-usage">
            <Flex gap={32} wrap>
              <Statistic title="Suggestions generated" value={ai.suggestions} />
              <Statistic title="Categories applied" value={ai.categoryAccepted} />
              <Statistic title="Drafts used in replies" value={ai.draftsUsed} />
              <Statistic title="Acceptance rate" value={formatPercent(ai.acceptanceRate)} />
            </Flex>
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}
