// HTTP for alarm-rule configuration (issue 7 §4; rule-config.ts): effective rules of a region node with
// where each came from, override or add at a node, revert to what is inherited, and each rule's history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { Uuid } from '../../http/schemas.js';
import { regionBrief } from '../regions/service.js';
import { LEVEL_LABELS } from '../regions/model.js';
import {
  deviceRuleHistory,
  effectiveRules,
  revertDeviceRule,
  RULE_ID_PATTERN,
  RuleDefinition,
  ruleView,
  setDeviceRule,
} from './rule-config.js';

const RuleParams = Type.Object(
  { regionId: Uuid, ruleId: Type.String({ pattern: RULE_ID_PATTERN, maxLength: 80, description: '规则编号，如 gas.leak' }) },
  { additionalProperties: false },
);
const region = { kind: 'region', from: 'params.regionId', label: '区划' } as const;

export function deviceRuleRoutes(db: Db): FastifyPluginAsyncTypebox {
  const tags = ['设备与告警'];
  return async (app) => {
    app.get(
      '/api/device-rules',
      {
        config: { access: 'devices.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '某区划生效的告警规则（默认 ← 市 ← 区 ← 街道 ← 社区，下级设置优先），并注明每条规则的来源；缺省为本人所在区划',
          querystring: Type.Object({ regionId: Type.Optional(Uuid) }, { additionalProperties: false }),
        },
      },
      async (req) => {
        const regionId = req.query.regionId ?? req.caller!.regionId;
        const r = await regionBrief(db, regionId);
        if (!r) throw problems.notFound('区划');
        const rules = await effectiveRules(db, regionId);
        return {
          region: { id: r.id, name: r.name, level: r.level, levelLabel: LEVEL_LABELS[r.level] },
          rules: rules.map((e) => ruleView(e, regionId)),
        };
      },
    );

    app.put(
      '/api/device-rules/:regionId/:ruleId',
      {
        config: { access: 'devices.rules', action: 'device-rule.set', scope: [region] },
        schema: {
          tags,
          summary: '在某区划覆盖一条告警规则（阈值、持续时间、次数、级别、启停）或新增一条规则；保留历史版本',
          params: RuleParams,
          body: Type.Object({ enabled: Type.Boolean(), definition: RuleDefinition }, { additionalProperties: false }),
        },
      },
      async (req) => setDeviceRule(ctxOf(req, db), req.params.regionId, req.params.ruleId, req.body),
    );

    app.delete(
      '/api/device-rules/:regionId/:ruleId',
      {
        config: { access: 'devices.rules', action: 'device-rule.revert', scope: [region] },
        schema: { tags, summary: '撤销本区划对该规则的设置，恢复上级（或默认）规则', params: RuleParams },
      },
      async (req) => revertDeviceRule(ctxOf(req, db), req.params.regionId, req.params.ruleId),
    );

    app.get(
      '/api/device-rules/:regionId/:ruleId/history',
      {
        config: { access: 'devices.read', scope: [region] },
        schema: { tags, summary: '某区划对该规则的全部设置版本（新到旧）', params: RuleParams },
      },
      async (req) => deviceRuleHistory(db, req.params.regionId, req.params.ruleId),
    );
  };
}
