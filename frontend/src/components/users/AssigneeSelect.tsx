import { Select } from 'antd';
import { useMemo } from 'react';
import { useStaff } from '@/api/users/get-users';
import { matchesUser } from './UserSelect';

interface Props {
  value: number | null | undefined;
  onChange: (assigneeId: number | null) => void;
  /** Puts "Me" first. */
  meId?: number;
  placeholder?: string;
  disabled?: boolean;
  loading?: boolean;
  id?: string;
  style?: React.CSSProperties;
  'aria-label'?: string;
}

/** Pick an agent or admin (or nobody). Only staff can be assignees, so requesters are never offered. */
export function AssigneeSelect({ value, onChange, meId, placeholder = 'Unassigned', disabled, loading, id, style, ...rest }: Props) {
  const staff = useStaff();
  const byId = useMemo(() => new Map((staff.data ?? []).map((u) => [u.id, u])), [staff.data]);
  const options = useMemo(() => {
    const people = staff.data ?? [];
    const sorted = meId ? [...people.filter((u) => u.id === meId), ...people.filter((u) => u.id !== meId)] : people;
    const out = sorted.map((u) => ({ value: u.id, label: u.id === meId ? `${u.name} (me)` : `${u.name} · ${u.role}` }));
    if (value && !byId.has(value)) out.unshift({ value, label: `User #${value}` });
    return out;
  }, [staff.data, byId, meId, value]);
  return (
    <Select<number>
      id={id}
      aria-label={rest['aria-label'] ?? 'Assignee'}
      value={value ?? undefined}
      placeholder={placeholder}
      allowClear
      disabled={disabled}
      loading={loading || staff.isLoading}
      style={{ minWidth: 220, ...style }}
      onChange={(next) => onChange(next ?? null)}
      options={options}
      showSearch={{
        filterOption: (input, option) => {
          const user = typeof option?.value === 'number' ? byId.get(option.value) : undefined;
          return user ? matchesUser(user, input) : String(option?.label ?? '').toLowerCase().includes(input.toLowerCase());
        },
      }}
      notFoundContent={staff.isError ? 'Could not load the agents' : 'No matching agent'}
    />
  );
}
