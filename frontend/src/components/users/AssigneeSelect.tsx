import { Select } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
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
export function AssigneeSelect({ value, onChange, meId, placeholder, disabled, loading, id, style, ...rest }: Props) {
  const { t } = useTranslation();
  const staff = useStaff();
  const byId = useMemo(() => new Map((staff.data ?? []).map((u) => [u.id, u])), [staff.data]);
  const options = useMemo(() => {
    const people = staff.data ?? [];
    const sorted = meId ? [...people.filter((u) => u.id === meId), ...people.filter((u) => u.id !== meId)] : people;
    const out = sorted.map((u) => ({ value: u.id, label: u.id === meId ? t('common.assignee.me', { name: u.name }) : `${u.name} · ${t(`common.roles.${u.role}`)}` }));
    if (value && !byId.has(value)) out.unshift({ value, label: t('common.userN', { id: value }) });
    return out;
  }, [staff.data, byId, meId, value, t]);
  return (
    <Select<number>
      id={id}
      aria-label={rest['aria-label'] ?? t('common.assignee.label')}
      value={value ?? undefined}
      placeholder={placeholder ?? t('common.unassigned')}
      allowClear
      disabled={disabled}
      loading={loading || staff.isLoading}
      style={{ width: '100%', maxWidth: '100%', ...style }}
      onChange={(next) => onChange(next ?? null)}
      options={options}
      showSearch={{
        filterOption: (input, option) => {
          const user = typeof option?.value === 'number' ? byId.get(option.value) : undefined;
          return user ? matchesUser(user, input) : String(option?.label ?? '').toLowerCase().includes(input.toLowerCase());
        },
      }}
      notFoundContent={staff.isError ? t('common.assignee.loadFailed') : t('common.assignee.noMatch')}
    />
  );
}
