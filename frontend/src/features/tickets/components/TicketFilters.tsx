import { ClearOutlined } from '@ant-design/icons';
import { Button, Select, Space } from 'antd';
import { PRIORITIES, STATUSES } from '@/api/types';
import { humanize } from '@/lib/format';
import { UserSelect } from '@/features/users/components/UserSelect';
import { hasFilters, withFilter, type TicketListParams } from '../list-params';

interface Props {
  params: TicketListParams;
  onChange: (next: TicketListParams) => void;
}

export function TicketFilters({ params, onChange }: Props) {
  return (
    <Space wrap aria-label="Filters">
      <Select
        aria-label="Filter by status"
        placeholder="Any status"
        allowClear
        style={{ width: 160 }}
        value={params.status}
        onChange={(status) => onChange(withFilter(params, { status }))}
        options={STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
      />
      <Select
        aria-label="Filter by priority"
        placeholder="Any priority"
        allowClear
        style={{ width: 160 }}
        value={params.priority}
        onChange={(priority) => onChange(withFilter(params, { priority }))}
        options={PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
      />
      <UserSelect
        aria-label="Filter by requester"
        placeholder="Any requester"
        allowClear
        style={{ width: 280 }}
        value={params.requester}
        onChange={(requester) => onChange(withFilter(params, { requester }))}
      />
      {hasFilters(params) && (
        <Button icon={<ClearOutlined />} onClick={() => onChange(withFilter(params, { status: undefined, priority: undefined, requester: undefined }))}>
          Clear filters
        </Button>
      )}
    </Space>
  );
}
