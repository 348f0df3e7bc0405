import { EnvironmentOutlined, IdcardOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Divider, Layout, Menu, Tag } from 'antd';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/context';
import { ChangePasswordModal } from '../components/ChangePasswordModal';
import { MyProfileModal } from '../components/MyProfileModal';
import { Logo } from '../components/Logo';
import { NotificationBell } from '../components/NotificationBell';
import { LEVEL_LABEL } from '../lib/labels';
import { RegionProvider } from '../regions/RegionProvider';
import { RegionTree } from '../regions/RegionTree';
import { allowedMenu, groupKey, menuItems } from './menu';

const { Header, Sider, Content } = Layout;

export function MainLayout() {
  const { user, logout, roleLabel } = useAuth();
  const { modal } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const [pwOpen, setPwOpen] = useState(false);
  const [profileOpen, setProfileOpen] = useState(false);

  if (!user) return null;
  const menu = allowedMenu(user.permissions);
  const items = menuItems(menu);
  const selectedMenu = menu.find((m) => location.pathname.startsWith(m.path))?.path;
  const canSeeRegions = user.permissions.includes('regions.read');

  const confirmLogout = () => {
    modal.confirm({
      title: '退出登录',
      content: '确定要退出当前账号吗？',
      okText: '退出',
      cancelText: '取消',
      onOk: () => logout(),
    });
  };

  return (
    <RegionProvider enabled={canSeeRegions}>
      <Layout className="app-shell">
        <Header className="app-header">
          <div className="brand">
            <Logo />
            <span className="brand-name">家园</span>
            <span className="brand-sub">智慧社区平台</span>
          </div>
          <div className="header-user" data-testid="header-user">
            <Avatar size="small" icon={<UserOutlined />} className="header-avatar" />
            <span className="header-user-name">{user.displayName}</span>
            {user.roles.map((r) => (
              <Tag key={r} className="header-role">
                {roleLabel(r)}
              </Tag>
            ))}
            <span className="header-region">
              <EnvironmentOutlined /> {user.regionName}
              {!user.regionName.endsWith(LEVEL_LABEL[user.regionLevel]) && (
                <span className="header-region-level">（{LEVEL_LABEL[user.regionLevel]}）</span>
              )}
            </span>
            <NotificationBell />
            <Divider orientation="vertical" className="header-divider" />
            <Button
              type="text"
              icon={<IdcardOutlined />}
              className="header-btn"
              onClick={() => setProfileOpen(true)}
              data-testid="my-profile"
            >
              我的资料
            </Button>
            <Button type="text" icon={<KeyOutlined />} className="header-btn" onClick={() => setPwOpen(true)}>
              修改密码
            </Button>
            <Button type="text" icon={<LogoutOutlined />} className="header-btn" onClick={confirmLogout} data-testid="logout">
              退出登录
            </Button>
          </div>
        </Header>
        <Layout>
          <Sider width={176} className="app-menu" breakpoint="lg" collapsedWidth={56}>
            <Menu
              mode="inline"
              selectedKeys={selectedMenu ? [selectedMenu] : []}
              defaultOpenKeys={[...new Set(menu.flatMap((m) => (m.group ? [groupKey(m.group)] : [])))]}
              items={items}
              onClick={({ key }) => navigate(key)}
            />
          </Sider>
          {canSeeRegions && (
            <aside className="app-region-sider">
              <RegionTree />
            </aside>
          )}
          <Content className="app-content">
            <Outlet />
          </Content>
        </Layout>
        <ChangePasswordModal open={pwOpen} onClose={() => setPwOpen(false)} />
        <MyProfileModal open={profileOpen} onClose={() => setProfileOpen(false)} />
      </Layout>
    </RegionProvider>
  );
}
