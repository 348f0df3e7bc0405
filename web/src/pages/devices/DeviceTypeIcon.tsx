// An icon per device type (model.ts DEVICE_TYPES), for the badges of 设备分布.
import {
  ApiOutlined,
  BulbOutlined,
  CarOutlined,
  CloudOutlined,
  ColumnHeightOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FireOutlined,
  KeyOutlined,
  PhoneOutlined,
  ThunderboltOutlined,
  UserOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import type { ComponentType } from 'react';

const ICONS: Record<string, ComponentType> = {
  smoke_detector: FireOutlined,
  gas_detector: ExperimentOutlined,
  elevator_monitor: ColumnHeightOutlined,
  parking_sensor: CarOutlined,
  ev_charger: ThunderboltOutlined,
  street_light: BulbOutlined,
  water_meter: DashboardOutlined,
  electricity_meter: DashboardOutlined,
  gas_meter: DashboardOutlined,
  heat_meter: DashboardOutlined,
  temperature_humidity: CloudOutlined,
  door_access: KeyOutlined,
  camera: VideoCameraOutlined,
  sos_button: PhoneOutlined,
  fall_detector: UserOutlined,
};

export function DeviceTypeIcon({ type }: { type: string }) {
  const Icon = ICONS[type] ?? ApiOutlined;
  return <Icon />;
}
