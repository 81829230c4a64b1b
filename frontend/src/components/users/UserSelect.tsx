import { Select } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role, User } from '@/api/types';
import { useUserDirectory } from '@/api/users/get-users';

export function userLabel(user: User): string {
  return `${user.name} <${user.email}>`;
}

/** Case-insensitive match on name, e-mail or id. */
export function matchesUser(user: User, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return (
    user.name.toLowerCase().includes(needle) ||
    user.email.toLowerCase().includes(needle) ||
    String(user.id) === needle.replace(/^#/, '')
  );
}

interface UserSelectProps {
  value?: number | null;
  onChange?: (value: number | undefined) => void;
  roles?: readonly Role[];
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  style?: React.CSSProperties;
  'aria-label'?: string;
  status?: 'error' | 'warning';
}

/**
 * A searchable user picker (name, e-mail or #id). Users come from the cached directory; a user that is
 * not in it can still be chosen by typing their numeric id.
 */
export function UserSelect({ value, onChange, roles, placeholder, allowClear, id, style, status, ...rest }: UserSelectProps) {
  const { t } = useTranslation();
  const directory = useUserDirectory();
  const [search, setSearch] = useState('');
  const options = useMemo(() => {
    const users = (directory.data?.users ?? []).filter((u) => !roles || roles.includes(u.role));
    const found = users.filter((u) => matchesUser(u, search)).slice(0, 100);
    const typedId = /^#?\d{1,15}$/.test(search.trim()) ? Number(search.trim().replace('#', '')) : null;
    const out = found.map((u) => ({ value: u.id, label: `${userLabel(u)} · #${u.id}` }));
    if (typedId && !found.some((u) => u.id === typedId)) out.push({ value: typedId, label: t('common.userN', { id: typedId }) });
    if (value && !out.some((o) => o.value === value)) {
      const known = directory.data?.byId.get(value);
      out.unshift({ value, label: known ? `${userLabel(known)} · #${known.id}` : t('common.userN', { id: value }) });
    }
    return out;
  }, [directory.data, roles, search, value, t]);

  return (
    <Select<number>
      id={id}
      aria-label={rest['aria-label']}
      value={value ?? undefined}
      onChange={(v) => { setSearch(''); onChange?.(v ?? undefined); }}
      options={options}
      placeholder={placeholder ?? t('common.userSelect.placeholder')}
      allowClear={allowClear}
      loading={directory.isLoading}
      status={status}
      style={{ width: '100%', maxWidth: '100%', ...style }}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      onOpenChange={(open) => { if (!open) setSearch(''); }}
      notFoundContent={directory.isError ? t('common.userSelect.loadFailed') : t('common.userSelect.noMatch')}
    />
  );
}
