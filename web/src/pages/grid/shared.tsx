// Small pieces shared by the grid pages: status tags, photo lists, a photo picker.
import { PlusOutlined } from '@ant-design/icons';
import { App, Image, Space, Tag, Upload } from 'antd';
import { STATUS_COLOR } from './api';
import { photoDataUrl } from './photos';

export function StatusTag({ status, label, overdue }: { status: string; label: string; overdue?: boolean }) {
  return (
    <Space size={4} wrap>
      <Tag color={STATUS_COLOR[status] ?? 'default'} data-status={status}>
        {label}
      </Tag>
      {overdue && <Tag color="red">超期</Tag>}
    </Space>
  );
}

export function PhotoList({ photos, testId }: { photos: string[]; testId?: string }) {
  if (!photos.length) return <span>—</span>;
  return (
    <Image.PreviewGroup>
      <Space wrap data-testid={testId}>
        {photos.map((p, i) => (
          <Image key={i} src={p} width={96} height={96} style={{ objectFit: 'cover' }} alt={`照片${i + 1}`} />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

/** Picks up to `max` photos, each turned into a downscaled JPEG data URL. For use as a Form.Item control. */
export function PhotoPicker({ value = [], onChange, max = 3 }: { value?: string[]; onChange?: (v: string[]) => void; max?: number }) {
  const { message } = App.useApp();
  return (
    <Upload
      listType="picture-card"
      accept="image/*"
      multiple
      fileList={value.map((url, i) => ({ uid: String(i), name: `照片${i + 1}`, status: 'done' as const, url, thumbUrl: url }))}
      beforeUpload={(file, list) => {
        // Called once per file of a multiple pick: convert them all on the first call.
        if (file !== list[0]) return false;
        Promise.all(list.slice(0, Math.max(0, max - value.length)).map((f) => photoDataUrl(f)))
          .then((urls) => onChange?.([...value, ...urls].slice(0, max)))
          .catch((err: unknown) => void message.error(err instanceof Error ? err.message : String(err)));
        return false;
      }}
      onRemove={(f) => {
        onChange?.(value.filter((_, i) => String(i) !== f.uid));
        return true;
      }}
      showUploadList={{ showPreviewIcon: false }}
    >
      {value.length < max && (
        <div>
          <PlusOutlined />
          <div style={{ marginTop: 4 }}>添加照片</div>
        </div>
      )}
    </Upload>
  );
}

export function formatPercent(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v.toFixed(2)}%`;
}

export function formatNumber(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(v);
}
