import { Alert, App, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import type { UserCreate } from '@/api/types';
import { ROLES } from '@/api/types';
import { describeError, isApiError } from '@/lib/api-client';
import { applyServerErrors } from '@/lib/form-errors';
import { humanize } from '@/lib/format';
import { useCreateUser } from '@/api/users/create-user';

interface Values {
  name: string;
  email: string;
  role: UserCreate['role'];
  password?: string;
}

export function CreateUserModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = (values: Values) => {
    setProblem(null);
    create.mutate(
      { name: values.name.trim(), email: values.email.trim(), role: values.role, password: values.password || undefined },
      {
        onSuccess: (user) => {
          message.success(`${user.name} (${user.role}) created`);
          form.resetFields();
          onClose();
        },
        onError: (error) => {
          if (isApiError(error) && error.status === 409) {
            form.setFields([{ name: 'email', errors: ['A user with this e-mail already exists'] }]);
            return;
          }
          const unplaced = applyServerErrors(form, error, ['name', 'email', 'role', 'password']);
          if (unplaced === null || unplaced.length > 0) setProblem(unplaced?.join('; ') || describeError(error));
        },
      },
    );
  };

  return (
    <Modal title="New user" open={open} onCancel={onClose} onOk={() => form.submit()} okText="Create user" confirmLoading={create.isPending} destroyOnHidden>
      {problem && <Alert type="error" showIcon role="alert" title="The user was not created" description={problem} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} name="new-user" layout="vertical" initialValues={{ role: 'requester' }} onFinish={onFinish} validateTrigger={['onChange', 'onBlur']}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Enter a name' }, { max: 200, message: 'At most 200 characters' }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label="E-mail" name="email" rules={[{ required: true, message: 'Enter an e-mail' }, { type: 'email', message: 'Enter a valid e-mail address' }]}>
          <Input type="email" />
        </Form.Item>
        <Form.Item label="Role" name="role">
          <Select options={ROLES.map((r) => ({ value: r, label: humanize(r) }))} />
        </Form.Item>
        <Form.Item label="Password" name="password" extra="Optional: lets the user sign in. At least 8 characters." rules={[{ min: 8, message: 'At least 8 characters' }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
