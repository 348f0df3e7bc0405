// MQTT ingest (issue 7 §2). Devices publish `{ "ts"?, "values": {…} }` to `jiayuan/devices/{id}/telemetry`.
//
// Embedded broker (aedes, on JIAYUAN_MQTT_PORT, default 1884): devices connect with their credentials
// (username = device id, password); a device may publish only to its own topic. Every PUBLISH goes to
// `ingest` inside the broker's authorizePublish hook, so the broker sends its PUBACK (QoS 1) only after
// the message is committed to PostgreSQL: a kill -9 loses nothing that was acknowledged. Malformed
// payloads are acknowledged (so the device does not resend them forever), dropped and counted.
//
// External broker (MQTT_URL: Mosquitto, EMQX): the broker authenticates devices; the platform is an
// ordinary MQTT client with a persistent session (clean = false, QoS 1) and acknowledges each message
// only after `ingest` has committed it — until then the broker keeps it and redelivers after a restart.
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { sql } from 'drizzle-orm';
import { coalesced, coalescedPer } from '../../db/coalesce.js';
import type { Db } from '../../db/pool.js';
import { deviceOfTopic, parseTelemetry } from './model.js';
import { authenticateDevice, deviceAuthFeed, ingest, ingestStats, type DeviceAuth } from './service.js';

export interface MqttIngest {
  port: number | null;
  stop(): Promise<void>;
}

type Log = { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void };

function decode(payload: Buffer | string) {
  try {
    return parseTelemetry(JSON.parse(payload.toString()), Date.now());
  } catch {
    return { problem: '不是有效的 JSON', field: 'payload' };
  }
}

export async function startEmbeddedBroker(db: Db, port: number, log: Log, host = '0.0.0.0'): Promise<MqttIngest> {
  const broker = await Aedes.createBroker({ heartbeatInterval: 60_000, drainTimeout: 30_000 });
  const devices = new WeakMap<object, DeviceAuth>();
  // A device whose password changed or that was disabled (on any node) is disconnected at once: it
  // must reconnect, and the new credentials or status decide.
  const connected = new Map<string, Set<{ close: () => void }>>();
  const drop = (id: string) => {
    for (const c of connected.get(id) ?? []) c.close();
    connected.delete(id);
  };
  deviceAuthFeed.on('changed', drop);
  broker.on('clientDisconnect', (client) => {
    const d = devices.get(client);
    if (d) connected.get(d.id)?.delete(client);
  });
  broker.authenticate = (client, username, password, done) => {
    authenticateDevice(db, username ?? '', password?.toString() ?? '').then(
      (d) => {
        if (!d) {
          ingestStats.rejected.unauthorised = (ingestStats.rejected.unauthorised ?? 0) + 1;
          const e = Object.assign(new Error('bad credentials'), { returnCode: 4 });
          return done(e as never, false);
        }
        devices.set(client, d);
        let set = connected.get(d.id);
        if (!set) connected.set(d.id, (set = new Set()));
        set.add(client);
        done(null, true);
      },
      (e: Error) => done(e as never, false),
    );
  };
  broker.authorizeSubscribe = (client, sub, done) => {
    const d = client ? devices.get(client) : undefined;
    // A device may listen only under its own topic (for future commands); never to other devices.
    done(d && sub.topic.startsWith(`jiayuan/devices/${d.id}/`) ? null : new Error('subscription not allowed'), sub);
  };
  broker.authorizePublish = (client, packet, done) => {
    const d = client ? devices.get(client) : undefined;
    if (!d || deviceOfTopic(packet.topic) !== d.id) {
      ingestStats.rejected.topic = (ingestStats.rejected.topic ?? 0) + 1;
      return done(new Error('topic not allowed'));
    }
    const parsed = decode(packet.payload);
    if ('problem' in parsed) {
      ingestStats.rejected.malformed = (ingestStats.rejected.malformed ?? 0) + 1;
      return done(null);
    }
    ingest(db, d, parsed.telemetry).then(
      () => done(null),
      (e: Error) => {
        log.warn({ err: e }, 'telemetry not stored; the device will resend');
        done(e);
      },
    );
  };
  const server = net.createServer(broker.handle as never);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  log.info({ port: actual }, 'embedded MQTT broker listening');
  return {
    port: actual,
    async stop() {
      deviceAuthFeed.off('changed', drop);
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

/** Devices of messages on an external broker (the broker authenticated them), looked up together. */
const devicesById = coalescedPer((db: Db) =>
  coalesced<string, DeviceAuth>(async (ids) => {
    const r = await db.execute(
      sql`select community_id, id, type, grid_id, building_id, room_id from devices where id = any(${sql.param(ids)}::uuid[]) and status = 'active'`,
    );
    return new Map(
      (r.rows as Record<string, string | null>[]).map((d) => [
        d.id!,
        {
          id: d.id!,
          communityId: d.community_id!,
          type: d.type as DeviceAuth['type'],
          gridId: d.grid_id ?? null,
          buildingId: d.building_id ?? null,
          roomId: d.room_id ?? null,
        },
      ]),
    );
  }),
);

/** One QoS 1 message read from the external broker whose PUBACK waits for its commit. */
interface Unacked {
  messageId: number;
  stored: boolean;
  /** MQTT.js's own send of the PUBACK, held back until the message and those before it are stored. */
  send: (() => void) | null;
}

export async function startExternalIngest(db: Db, url: string, log: Log, clientId = 'jiayuan-platform-ingest'): Promise<MqttIngest> {
  const client = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 2000 });
  // MQTT.js reads the next message only once handleMessage has called back, and sends the PUBACK of a
  // QoS 1 message at that moment. Calling back after the commit would store one message at a time
  // (254–405 msg/s measured against Mosquitto). So handleMessage calls back at once, the PUBACK that
  // MQTT.js then sends is held here, and it leaves only after the message is committed — in the order
  // the messages came (MQTT 3.1.1 §4.6.0-2), so a PUBACK never acknowledges an uncommitted message. The
  // broker keeps up to its in-flight window (Mosquitto's max_inflight_messages, 20 by default)
  // unacknowledged; they are stored together (ingest's batches). On a lost connection the held
  // PUBACKs are dropped (their message ids mean nothing on the next connection): the broker sends
  // those messages again to this persistent session. One stored before the loss is then stored once
  // more only if it has no `ts` of its own (telemetry is keyed by device, key and time): the same as
  // when the PUBACK was sent from handleMessage and lost with its connection.
  const unacked: Unacked[] = [];
  let connection = 0;
  const flush = () => {
    while (unacked.length && unacked[0]!.stored && unacked[0]!.send) unacked.shift()!.send!();
  };
  // `_sendPacket` is MQTT.js's internal send (mqtt is pinned in package.json; the external-broker tests
  // fail if a PUBACK leaves before its commit or if messages are read one at a time).
  const internals = client as unknown as { _sendPacket?: (packet: { cmd: string; messageId?: number }, ...rest: unknown[]) => void };
  if (typeof internals._sendPacket !== 'function')
    throw new Error('MQTT.js has no _sendPacket: check the mqtt version pinned in package.json');
  const sendPacket = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, ...rest) => {
    const held = packet.cmd === 'puback' ? unacked.find((u) => u.messageId === packet.messageId && !u.send) : undefined;
    if (!held) return sendPacket(packet, ...rest);
    // MQTT.js waits for this callback (the packet written) before it reads on: answer it now.
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    held.send = () => sendPacket(packet);
    cb?.();
    flush();
  };
  client.on('close', () => {
    connection++;
    unacked.length = 0;
  });
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    // A QoS 1 message takes its place in the order of acknowledgements whatever becomes of it.
    const u: Unacked | null =
      packet.qos === 1 && packet.messageId !== undefined ? { messageId: packet.messageId, stored: false, send: null } : null;
    if (u) unacked.push(u);
    const id = deviceOfTopic(packet.topic);
    const parsed = decode(packet.payload as Buffer);
    if (!id || 'problem' in parsed) {
      // Acknowledged (in its turn) and counted: a device must not resend a malformed message forever.
      const why = id ? 'malformed' : 'topic';
      ingestStats.rejected[why] = (ingestStats.rejected[why] ?? 0) + 1;
      if (u) u.stored = true;
      return done();
    }
    if (!u) {
      // QoS 0 is never acknowledged; QoS 2 keeps MQTT.js's own handshake: both one at a time, as before.
      void store(id, parsed.telemetry).then(() => done(), lost);
      return;
    }
    const mine = connection;
    store(id, parsed.telemetry).then(
      () => {
        if (mine !== connection) return;
        u.stored = true;
        flush();
      },
      (e: unknown) => {
        if (mine === connection) lost(e);
      },
    );
    done();
  };
  const store = async (id: string, telemetry: Parameters<typeof ingest>[2]) => {
    const d = await devicesById(db)(id);
    if (!d) ingestStats.rejected.unauthorised = (ingestStats.rejected.unauthorised ?? 0) + 1;
    else await ingest(db, d, telemetry);
  };
  const lost = (e: unknown) => {
    // Not acknowledged: dropping the connection makes the client reconnect (reconnectPeriod), and the
    // broker sends the unacknowledged messages again to this persistent session.
    log.warn({ err: e }, 'telemetry not stored; not acknowledged, reconnecting');
    client.stream.destroy();
  };
  await client.subscribeAsync('jiayuan/devices/+/telemetry', { qos: 1 });
  log.info({ url }, 'subscribed to the external MQTT broker');
  return {
    port: null,
    async stop() {
      await client.endAsync();
    },
  };
}
