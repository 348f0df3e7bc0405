// The report form of the mobile pages: a two-level category picker, description, up to 3 photos
// (downscaled JPEG), and where it happened (a 数字门牌, the current position, or a region the
// caller passes in). The page decides where it is sent.
import { Alert, Button, Input, Spin } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { errorText } from '../api/client';
import { publicGridApi, type Category } from '../pages/grid/api';
import { photoDataUrl } from '../pages/grid/photos';

export interface ReportDraft {
  categoryCode: string;
  description: string;
  photos: string[];
  lng?: number;
  lat?: number;
}

const MAX_PHOTOS = 3;

export function ReportForm({
  locationNote,
  needsPosition,
  extra,
  submitText = '提交',
  onSubmit,
}: {
  /** What the place is when it is already known (门牌, 网格); null asks for the current position. */
  locationNote: ReactNode | null;
  /** The current position is required (no other place known). */
  needsPosition: boolean;
  /** More fields (name, phone) rendered before the submit button. */
  extra?: ReactNode;
  submitText?: string;
  /** Throws to show the error; `validate` of extra fields is the page's business. */
  onSubmit: (draft: ReportDraft) => Promise<void>;
}) {
  const [cats, setCats] = useState<Category[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [parent, setParent] = useState<string | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<string[]>([]);
  const [position, setPosition] = useState<{ lng: number; lat: number } | null>(null);
  const [locating, setLocating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    publicGridApi
      .categories()
      .then((c) => setCats(c.filter((x) => x.active !== false)))
      .catch((err: unknown) => setLoadError(errorText(err)));
  }, []);

  const locate = () => {
    if (!navigator.geolocation) {
      setError('当前浏览器不支持定位');
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setPosition({ lng: Math.round(p.coords.longitude * 1e6) / 1e6, lat: Math.round(p.coords.latitude * 1e6) / 1e6 });
        setLocating(false);
      },
      (e) => {
        setError(e.code === e.PERMISSION_DENIED ? '未获得定位权限，请在浏览器设置中允许定位' : '定位失败，请稍后重试');
        setLocating(false);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  const addPhotos = async (files: FileList | null) => {
    if (!files) return;
    try {
      const room = MAX_PHOTOS - photos.length;
      const urls = await Promise.all([...files].slice(0, room).map((f) => photoDataUrl(f)));
      setPhotos((p) => [...p, ...urls].slice(0, MAX_PHOTOS));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const submit = async () => {
    setError(null);
    if (!code) return setError('请选择问题类别');
    if (description.trim().length < 2) return setError('请描述问题（至少 2 个字）');
    if (needsPosition && !position) return setError('请点击“使用当前位置”');
    setSending(true);
    try {
      await onSubmit({ categoryCode: code, description: description.trim(), photos, ...(position ?? {}) });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  const children = cats?.find((c) => c.code === parent)?.children?.filter((c) => c.active !== false) ?? [];

  return (
    <div>
      <div className="m-card" data-testid="m-categories">
        <span className="m-label">问题类别</span>
        {loadError && <Alert type="error" title={loadError} />}
        {!cats && !loadError && <Spin />}
        <div className="m-chips">
          {cats?.map((c) => (
            <button
              type="button"
              key={c.code}
              className="m-chip"
              aria-pressed={parent === c.code}
              onClick={() => {
                setParent(c.code);
                setCode(null);
              }}
            >
              {c.name}
            </button>
          ))}
        </div>
        {children.length > 0 && (
          <>
            <span className="m-label" style={{ marginTop: 12 }}>
              具体问题
            </span>
            <div className="m-chips" data-testid="m-subcategories">
              {children.map((c) => (
                <button type="button" key={c.code} className="m-chip" aria-pressed={code === c.code} onClick={() => setCode(c.code)}>
                  {c.name}
                </button>
              ))}
            </div>
          </>
        )}
      </div>
      <div className="m-card">
        <label className="m-label" htmlFor="m-description">
          问题描述
        </label>
        <Input.TextArea
          id="m-description"
          data-testid="m-description"
          rows={4}
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="请描述问题的位置和情况"
          style={{ fontSize: 16 }}
        />
        <span className="m-label" style={{ marginTop: 12 }}>
          照片（最多 {MAX_PHOTOS} 张）
        </span>
        <div className="m-photos">
          {photos.map((p, i) => (
            <img
              key={i}
              src={p}
              className="m-photo"
              alt={`照片${i + 1}`}
              title="点击删除"
              onClick={() => setPhotos((ps) => ps.filter((_, j) => j !== i))}
            />
          ))}
          {photos.length < MAX_PHOTOS && (
            <div className="m-photo-add" role="button" tabIndex={0} onClick={() => fileInput.current?.click()}>
              + 拍照
            </div>
          )}
        </div>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          style={{ display: 'none' }}
          onChange={(e) => {
            void addPhotos(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      <div className="m-card">
        <span className="m-label">位置</span>
        {locationNote && <div data-testid="m-location">{locationNote}</div>}
        {(needsPosition || !locationNote) && (
          <Button size="large" block onClick={locate} loading={locating} className="m-big-button">
            {position ? `已定位：${position.lng.toFixed(5)}, ${position.lat.toFixed(5)}` : '使用当前位置'}
          </Button>
        )}
      </div>
      {extra}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="m-error" />}
      <Button
        type="primary"
        size="large"
        block
        className="m-big-button"
        loading={sending}
        onClick={() => void submit()}
        data-testid="m-submit"
      >
        {submitText}
      </Button>
    </div>
  );
}
