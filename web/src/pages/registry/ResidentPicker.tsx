// Picks a resident by the same search as the 居民 page (name, pinyin initials, phone, ID number).
import { Select, Spin } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { residentApi } from '../../api/endpoints';
import { genderLabel } from '../../lib/registry';

export interface ResidentOption {
  value: string;
  label: string;
  name: string;
}

export function ResidentPicker({
  value,
  onChange,
  communityId,
  testId = 'resident-picker',
}: {
  value?: string;
  onChange?: (v: string, option?: ResidentOption) => void;
  /** Only people registered in this community. */
  communityId?: string;
  testId?: string;
}) {
  const [options, setOptions] = useState<ResidentOption[]>([]);
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const ctrl = useRef<AbortController | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      ctrl.current?.abort();
    },
    [],
  );

  const search = (text: string) => {
    if (timer.current) clearTimeout(timer.current);
    const q = text.trim();
    if (!q) return;
    timer.current = setTimeout(() => {
      ctrl.current?.abort();
      const c = new AbortController();
      ctrl.current = c;
      setSearching(true);
      residentApi
        .list({ q, pageSize: 20, ...(communityId ? { communityId } : {}) }, c.signal)
        .then((page) =>
          setOptions(
            page.items.map((r) => ({
              value: r.id,
              name: r.name,
              label: `${r.name}（${genderLabel(r.gender)}，${r.age ?? '?'} 岁，${r.idNumber}）`,
            })),
          ),
        )
        .catch(() => undefined)
        .finally(() => {
          if (!c.signal.aborted) setSearching(false);
        });
    }, 300);
  };

  return (
    <Select<string, ResidentOption>
      showSearch={{ filterOption: false, onSearch: search }}
      value={value}
      onChange={(v, option) => onChange?.(v, Array.isArray(option) ? option[0] : option)}
      options={options}
      placeholder="输入姓名、拼音首字母、电话或证件号搜索"
      notFoundContent={searching ? <Spin size="small" /> : '输入后搜索居民'}
      data-testid={testId}
    />
  );
}
