import { Tag } from 'antd';
import type { Role } from '@/api/types';
import { humanize } from '@/lib/format';

const ROLE_COLORS: Record<Role, string> = { requester: 'default', agent: 'blue', admin: 'purple' };

export function RoleTag({ role }: { role: Role }) {
  return <Tag color={ROLE_COLORS[role]}>{humanize(role)}</Tag>;
}
