// A modal form that saves through the API: validates, shows a spinner while saving, and puts the
// server's field errors on the matching fields (anything else in an alert above the form).
import { Alert, Form, Modal, type FormInstance } from 'antd';
import { useState, type ReactNode } from 'react';
import { applyServerErrors } from '../lib/formErrors';

export function FormModal<V extends object>({
  title,
  open,
  onClose,
  form,
  fields,
  aliases,
  initialValues,
  onSubmit,
  width,
  testId,
  okText = '保存',
  children,
}: {
  title: ReactNode;
  open: boolean;
  onClose: () => void;
  form: FormInstance<V>;
  /** Form field names the server's `body.<field>` errors may land on. */
  fields: readonly string[];
  aliases?: Record<string, string>;
  initialValues?: Partial<V>;
  onSubmit: (values: V) => Promise<void>;
  width?: number;
  testId?: string;
  okText?: string;
  children: ReactNode;
}) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (err) {
      setError(applyServerErrors(form, err, fields, aliases));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={title}
      open={open}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText={okText}
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
      width={width}
    >
      <Form form={form} layout="vertical" initialValues={initialValues} preserve={false} autoComplete="off" data-testid={testId}>
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        {children}
      </Form>
    </Modal>
  );
}
