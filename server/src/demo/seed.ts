// The demo city 青川市: a fictional prefecture-level city (code 990100; province code 99 is not
// assigned by GB/T 2260, so no code collides with a real place). Names are generated from
// syllable lists with a fixed seed, so every run produces the same city.
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import { hashPassword } from '../modules/accounts/password.js';
import { users } from '../modules/accounts/schema.js';
import type { Role } from '../modules/accounts/model.js';
import { childPath, type Geometry, type Level } from '../modules/regions/model.js';
import { regions } from '../modules/regions/schema.js';

export const DEMO_PASSWORD = 'Demo@2026';

interface StreetSpec {
  name: string;
  slug: string;
  communities: { name: string; slug: string }[];
}
interface DistrictSpec {
  name: string;
  slug: string;
  streets: StreetSpec[];
}

export const DEMO_CITY = { name: '青川市', code: '990100' };

const DISTRICTS: DistrictSpec[] = [
  {
    name: '临江区',
    slug: 'linjiang',
    streets: [
      {
        name: '滨河街道',
        slug: 'binhe',
        communities: [
          { name: '柳岸社区', slug: 'liuan' },
          { name: '江月社区', slug: 'jiangyue' },
        ],
      },
      {
        name: '望江街道',
        slug: 'wangjiang',
        communities: [
          { name: '晓风社区', slug: 'xiaofeng' },
          { name: '锦绣社区', slug: 'jinxiu' },
        ],
      },
    ],
  },
  {
    name: '青山区',
    slug: 'qingshan',
    streets: [
      {
        name: '翠屏街道',
        slug: 'cuiping',
        communities: [
          { name: '桂园社区', slug: 'guiyuan' },
          { name: '竹溪社区', slug: 'zhuxi' },
        ],
      },
      {
        name: '松林街道',
        slug: 'songlin',
        communities: [
          { name: '梧桐社区', slug: 'wutong' },
          { name: '槐荫社区', slug: 'huaiyin' },
        ],
      },
      {
        name: '东岭街道',
        slug: 'dongling',
        communities: [
          { name: '云溪社区', slug: 'yunxi' },
          { name: '明德社区', slug: 'mingde' },
        ],
      },
    ],
  },
];

const GRID_NAMES = ['第一网格', '第二网格', '第三网格', '第四网格'];

// Deterministic PRNG (mulberry32) so the demo city is the same on every machine.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文辉鑫宇浩然子涵欣怡思远雨轩晨阳佳怡一诺梓萱俊杰婷婷海燕春梅秋菊冬生振华德胜';

export function personName(rand: () => number): string {
  const s = SURNAMES[Math.floor(rand() * SURNAMES.length)]!;
  const g = [...GIVEN];
  const n = rand() < 0.35 ? 1 : 2;
  let given = '';
  for (let i = 0; i < n; i++) given += g[Math.floor(rand() * g.length)]!;
  return s + given;
}

type Box = [number, number, number, number]; // west, south, east, north

function rect([w, s, e, n]: Box): Geometry {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [r(w), r(s)],
        [r(e), r(s)],
        [r(e), r(n)],
        [r(w), r(n)],
        [r(w), r(s)],
      ],
    ],
  };
}

function split([w, s, e, n]: Box, parts: number, vertical: boolean): Box[] {
  return Array.from({ length: parts }, (_, i) =>
    vertical
      ? [w + ((e - w) * i) / parts, s, w + ((e - w) * (i + 1)) / parts, n]
      : [w, s + ((n - s) * i) / parts, e, s + ((n - s) * (i + 1)) / parts],
  ) as Box[];
}

interface NewRegion {
  id: string;
  parentId: string | null;
  level: Level;
  depth: number;
  name: string;
  code: string;
  path: string;
  boundary: Geometry;
  sortOrder: number;
}

interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  regionId: string;
}

export interface DemoSummary {
  cityId: string;
  regions: number;
  users: DemoUser[];
}

/** Inserts the demo city (regions and accounts other than `admin`) into an empty database. */
export async function seedDemo(db: Db): Promise<DemoSummary> {
  const rand = prng(20260101);
  const rows: NewRegion[] = [];
  const people: DemoUser[] = [];
  const add = (parent: NewRegion | null, level: Level, name: string, code: string, box: Box, sortOrder: number) => {
    const id = uuidv7();
    const r: NewRegion = {
      id,
      parentId: parent?.id ?? null,
      level,
      depth: parent ? parent.depth + 1 : 0,
      name,
      code,
      path: childPath(parent?.path ?? null, id),
      boundary: rect(box),
      sortOrder,
    };
    rows.push(r);
    return r;
  };
  const person = (username: string, roles: Role[], region: NewRegion) =>
    people.push({ username, displayName: personName(rand), roles, regionId: region.id });

  const cityBox: Box = [118.1, 30.1, 118.5, 30.34];
  const city = add(null, 'city', DEMO_CITY.name, DEMO_CITY.code, cityBox, 0);
  person('city_auditor', ['auditor'], city);
  person('city_evaluator', ['evaluator'], city);

  split(cityBox, DISTRICTS.length, true).forEach((dBox, di) => {
    const d = DISTRICTS[di]!;
    const district = add(city, 'district', d.name, `9901${String(di + 2).padStart(2, '0')}`, dBox, di);
    person(`${d.slug}_admin`, ['district_admin'], district);
    person(`${d.slug}_handler`, ['handler'], district);
    split(dBox, d.streets.length, false).forEach((sBox, si) => {
      const st = d.streets[si]!;
      const street = add(district, 'street', st.name, `${district.code}${String(si + 1).padStart(3, '0')}`, sBox, si);
      person(`${st.slug}_admin`, ['street_admin'], street);
      person(`${st.slug}_auditor`, ['auditor'], street);
      split(sBox, st.communities.length, true).forEach((cBox, ci) => {
        const c = st.communities[ci]!;
        const community = add(street, 'community', c.name, `${street.code}${String(ci + 1).padStart(3, '0')}`, cBox, ci);
        person(`${c.slug}_admin`, ['community_admin'], community);
        person(`${c.slug}_property`, ['property_staff'], community);
        person(`${c.slug}_resident`, ['resident'], community);
        const gridCount = 3 + (ci % 2);
        split(cBox, gridCount, false).forEach((gBox, gi) => {
          const grid = add(
            community,
            'grid',
            `${c.name.replace('社区', '')}${GRID_NAMES[gi]}`,
            `${community.code}${String(gi + 1).padStart(3, '0')}`,
            gBox,
            gi,
          );
          person(`${c.slug}_grid${gi + 1}`, ['grid_worker'], grid);
        });
      });
    });
  });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx: Executor) => {
    await tx.insert(regions).values(rows);
    await tx.insert(users).values(people.map((p) => ({ id: uuidv7(), passwordHash, ...p })));
  });
  return { cityId: city.id, regions: rows.length, users: people };
}

/** A database started with JIAYUAN_DEMO=0 gets only its city node, so `admin` has a home. */
export async function seedCityOnly(db: Db, name: string, code: string): Promise<string> {
  const id = uuidv7();
  await db.insert(regions).values({ id, parentId: null, level: 'city', depth: 0, name, code, path: childPath(null, id), sortOrder: 0 });
  return id;
}
