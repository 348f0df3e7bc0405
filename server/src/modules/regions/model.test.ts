import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTree, codeProblem, geometryProblem, pathWithin, pointInGeometry, type Geometry, type RegionNode } from './model.js';

describe('region codes', () => {
  it('accepts the demo hierarchy and rejects codes that do not nest', () => {
    expect(codeProblem('city', '990100', null)).toBeNull();
    expect(codeProblem('city', '990000', null)).not.toBeNull();
    expect(codeProblem('district', '990102', '990100')).toBeNull();
    expect(codeProblem('district', '980102', '990100')).toBe('区级代码前 4 位应与所属市一致');
    expect(codeProblem('district', '990100', '990100')).not.toBeNull();
    expect(codeProblem('street', '990102001', '990102')).toBeNull();
    expect(codeProblem('street', '990103001', '990102')).toBe('街道代码应以所属区代码开头');
    expect(codeProblem('community', '990102001001', '990102001')).toBeNull();
    expect(codeProblem('community', '99010200100', '990102001')).toContain('12 位');
    expect(codeProblem('grid', '990102001001001', '990102001001')).toBeNull();
    expect(codeProblem('grid', '99010200100100a', '990102001001')).not.toBeNull();
  });

  it('any 3-digit suffix of a valid parent code is a valid child code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), (a, b) => {
        const street = `990102${String(a).padStart(3, '0')}`;
        const community = `${street}${String(b).padStart(3, '0')}`;
        return codeProblem('street', street, '990102') === null && codeProblem('community', community, street) === null;
      }),
    );
  });
});

describe('scope paths', () => {
  it("a path is within its own and its ancestors' scope only", () => {
    expect(pathWithin('/a/b/c/', '/a/')).toBe(true);
    expect(pathWithin('/a/b/c/', '/a/b/c/')).toBe(true);
    expect(pathWithin('/a/b/', '/a/b/c/')).toBe(false);
    // ids are fixed-length UUIDs, so a sibling can never be a prefix of another.
    expect(pathWithin('/a/bc/', '/a/b/')).toBe(false);
  });
});

describe('GeoJSON boundaries', () => {
  const square: Geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
        [0, 0],
      ],
      [
        [4, 4],
        [6, 4],
        [6, 6],
        [4, 6],
        [4, 4],
      ],
    ],
  };

  it('validates polygons', () => {
    expect(geometryProblem(square)).toBeNull();
    expect(geometryProblem({ type: 'MultiPolygon', coordinates: [square.coordinates] })).toBeNull();
    expect(
      geometryProblem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      }),
    ).toBe('每个环至少需要 4 个坐标点');
    expect(
      geometryProblem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 2],
          ],
        ],
      }),
    ).toBe('多边形的环应首尾闭合');
    expect(
      geometryProblem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [200, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toContain('经度');
    expect(
      geometryProblem({
        type: 'Polygon',
        coordinates: [
          [
            ['a', 0],
            [1, 0],
            [1, 1],
            ['a', 0],
          ],
        ],
      }),
    ).toContain('数字对');
    expect(geometryProblem(null)).not.toBeNull();
  });

  it('point in polygon respects holes', () => {
    expect(pointInGeometry([1, 1], square)).toBe(true);
    expect(pointInGeometry([5, 5], square)).toBe(false);
    expect(pointInGeometry([11, 5], square)).toBe(false);
  });

  it('agrees with a box test for axis-aligned rectangles', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: 0.001, max: 5, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        (w, s, d, x, y) => {
          const g: Geometry = {
            type: 'Polygon',
            coordinates: [
              [
                [w, s],
                [w + d, s],
                [w + d, s + d],
                [w, s + d],
                [w, s],
              ],
            ],
          };
          const strictlyInside = x > w && x < w + d && y > s && y < s + d;
          const outside = x < w || x > w + d || y < s || y > s + d;
          if (strictlyInside) return pointInGeometry([x, y], g);
          if (outside) return !pointInGeometry([x, y], g);
          return true; // on the edge: either answer is acceptable
        },
      ),
    );
  });
});

describe('tree building', () => {
  it('puts every node under its parent, in order, and never loses one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 60 }), (parents) => {
        const nodes: RegionNode[] = parents.map((p, i) => ({
          id: `n${i}`,
          parentId: i === 0 ? null : `n${p % i}`,
          name: `节点${i}`,
          level: 'grid',
          code: String(i).padStart(4, '0'),
          sortOrder: p % 3,
        }));
        const tree = buildTree(nodes);
        const seen: string[] = [];
        const walk = (ns: ReturnType<typeof buildTree>, parent: string | null) => {
          for (const n of ns) {
            seen.push(n.id);
            const src = nodes.find((x) => x.id === n.id)!;
            if (parent !== null && src.parentId !== parent) return false;
            walk(n.children, n.id);
          }
          return true;
        };
        walk(tree, null);
        return seen.length === nodes.length && new Set(seen).size === nodes.length && tree.length === (nodes.length ? 1 : 0);
      }),
    );
  });
});
