// Evaluation reports as xlsx (issue 4 §8): a community's scorecard with every criterion, its value
// and where it came from; a region's roll-up with ranking and the indicator-by-community matrix.
import ExcelJS from 'exceljs';
import type { Framework } from './model.js';
import type { Scorecard } from './service.js';

const bold = (ws: ExcelJS.Worksheet) => (ws.getRow(1).font = { bold: true });

function provenanceText(p: Scorecard['indicators'][number]['criteria'][number]['provenance']): string {
  if (!p) return '未填报';
  if (p.kind === 'measure') return `平台数据：${p.title}（${p.method}；${p.records} 条记录，${p.computedAt}）`;
  const evidence = (p.evidence as { title?: string; reference?: string }[])
    .map((e) => [e.title, e.reference].filter(Boolean).join(' '))
    .join('；');
  return `填报 第${p.version}版：${p.source}，数据日期 ${p.referenceDate}，质量 ${p.quality}，${p.enteredBy ?? ''}；佐证：${evidence}`;
}

export async function scorecardWorkbook(f: Framework, communityName: string, card: Scorecard): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '家园 智慧社区平台';
  const cover = wb.addWorksheet('封面');
  cover.columns = [
    { key: 'k', width: 16 },
    { key: 'v', width: 70 },
  ];
  cover.addRows([
    { k: '社区', v: communityName },
    { k: '评价标准', v: `${f.code} ${f.title}（${f.version} 版，${f.issuer}）` },
    {
      k: '计分规则',
      v:
        f.rule === 'weighted-achievement'
          ? '指标得分 = 权重 × 考核项达成比例，总分为各指标得分之和（0–100）'
          : '指标全部考核项达到即为达标；按达标数评定星级（002 六 6.3）',
    },
    { k: '总分', v: f.rule === 'weighted-achievement' ? card.total : `达标 ${card.total} 项，${card.stars ?? 0} 星` },
    { k: '计算时间', v: card.computedAt },
  ]);
  cover.getColumn('k').font = { bold: true };
  const groups = wb.addWorksheet('维度');
  groups.columns = [
    { header: '编号', key: 'code', width: 8 },
    { header: '一级指标', key: 'name', width: 24 },
    { header: '权重(%)', key: 'weight', width: 10 },
    { header: '达成度(%)', key: 'a', width: 12 },
  ];
  bold(groups);
  for (const g of card.groups)
    groups.addRow({ code: g.code, name: g.name, weight: g.weight ?? '', a: Math.round(g.achievement * 1000) / 10 });
  const ws = wb.addWorksheet('指标明细', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: '指标', key: 'code', width: 8 },
    { header: '名称', key: 'name', width: 22 },
    { header: '权重(%)', key: 'weight', width: 9 },
    { header: '达成度(%)', key: 'a', width: 10 },
    { header: '得分', key: 'score', width: 8 },
    { header: '考核项', key: 'c', width: 9 },
    { header: '考核要求', key: 'text', width: 50 },
    { header: '数值', key: 'value', width: 10 },
    { header: '是否达到', key: 'met', width: 9 },
    { header: '来源与佐证', key: 'p', width: 80 },
    { header: '出处', key: 'clause', width: 20 },
  ];
  bold(ws);
  for (const i of card.indicators)
    for (const [k, c] of i.criteria.entries())
      ws.addRow({
        code: k === 0 ? i.code : '',
        name: k === 0 ? i.name : '',
        weight: k === 0 ? (i.weight ?? '') : '',
        a: k === 0 ? Math.round(i.achievement * 1000) / 10 : '',
        score: k === 0 ? i.score : '',
        c: c.code,
        text: c.text,
        value: c.value ?? '',
        met: c.met ? '达到' : '未达到',
        p: provenanceText(c.provenance),
        clause: c.clause,
      });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function rollupWorkbook(
  f: Framework,
  r: { communities: { name: string; street: string; total: number; stars?: number; rank: number; indicators: Record<string, number> }[] },
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '家园 智慧社区平台';
  const ws = wb.addWorksheet('排名', { views: [{ state: 'frozen', ySplit: 1, xSplit: 3 }] });
  ws.columns = [
    { header: '排名', key: 'rank', width: 6 },
    { header: '社区', key: 'name', width: 16 },
    { header: '街道', key: 'street', width: 14 },
    { header: f.rule === 'weighted-achievement' ? '总分' : '达标数', key: 'total', width: 8 },
    ...(f.rule === 'beijing-stars' ? [{ header: '星级', key: 'stars', width: 6 }] : []),
    ...f.indicators.map((i) => ({ header: i.code, key: `i_${i.code}`, width: 7 })),
  ];
  bold(ws);
  for (const c of [...r.communities].sort((a, b) => a.rank - b.rank))
    ws.addRow({
      rank: c.rank,
      name: c.name,
      street: c.street,
      total: c.total,
      stars: c.stars ?? '',
      ...Object.fromEntries(f.indicators.map((i) => [`i_${i.code}`, Math.round((c.indicators[i.code] ?? 0) * 100)])),
    });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
