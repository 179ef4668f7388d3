import { describe, expect, it } from 'vitest';
import {
  bridgeNameFor,
  chainNames,
  isLoopback,
  jumps,
  nameservers,
  parseEgressAllow,
  restoreScript,
} from './room-firewall-rules.js';

describe('parseEgressAllow', () => {
  it('reads CIDRs, addresses, host:port and [v6]:port', () => {
    expect(
      parseEgressAllow(' 10.1.0.0/16,192.168.1.10, db.internal:5432,[fd00::1]:443 ,fd00:1::/64,10.2.3.4:53,'),
    ).toEqual([
      { host: '10.1.0.0', prefix: 16 },
      { host: '192.168.1.10' },
      { host: 'db.internal', port: 5432 },
      { host: 'fd00::1', port: 443 },
      { host: 'fd00:1::', prefix: 64 },
      { host: '10.2.3.4', port: 53 },
    ]);
    expect(parseEgressAllow(undefined)).toEqual([]);
    expect(parseEgressAllow('')).toEqual([]);
  });

  it('refuses what iptables would misread', () => {
    for (const bad of [
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/',
      'db.internal',
      'db.internal:0',
      'db.internal:65536',
      '[10.0.0.1]:80',
      'fd00::1:443x',
      '-j ACCEPT',
      'a b:80',
      '-bad-:80',
      '10.0.0.1/8/8',
    ])
      expect(() => parseEgressAllow(bad), bad).toThrow(/BOXROOM_ROOM_EGRESS_ALLOW/);
  });
});

describe('bridgeNameFor', () => {
  it('is readable when it fits IFNAMSIZ, else a stable hash', () => {
    expect(bridgeNameFor('boxroom-rooms')).toBe('bxr-rooms');
    expect(bridgeNameFor('rooms')).toBe('bxr-rooms');
    const long = bridgeNameFor('boxroom-itsec-abc123');
    expect(long).toMatch(/^bxr-[0-9a-f]{11}$/);
    expect(long).toBe(bridgeNameFor('boxroom-itsec-abc123'));
    expect(long).not.toBe(bridgeNameFor('boxroom-itsec-abc124'));
    expect(bridgeNameFor('Rooms_1')).toMatch(/^bxr-[0-9a-f]{11}$/);
    // chain names stay within iptables' 28 characters
    expect(chainNames(long).egress.length).toBeLessThanOrEqual(28);
  });
});

describe('restoreScript', () => {
  it('IPv4: host closed, private and link-local rejected, DNS and allowed entries first', () => {
    expect(
      restoreScript({
        bridge: 'bxr-rooms',
        family: 4,
        allow: [
          { host: '10.9.0.0', prefix: 16 },
          { host: '192.168.5.5', port: 5432 },
        ],
        dnsServers: ['10.255.255.53'],
      }).split('\n'),
    ).toEqual([
      '*filter',
      ':BOXROOM-IN-bxr-rooms - [0:0]',
      ':BOXROOM-OUT-bxr-rooms - [0:0]',
      '-A BOXROOM-IN-bxr-rooms -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A BOXROOM-IN-bxr-rooms -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 10.255.255.53 -p udp --dport 53 -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 10.255.255.53 -p tcp --dport 53 -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 10.9.0.0/16 -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 192.168.5.5 -p tcp --dport 5432 -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 192.168.5.5 -p udp --dport 5432 -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d 10.0.0.0/8 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 172.16.0.0/12 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 192.168.0.0/16 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 100.64.0.0/10 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 169.254.0.0/16 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 127.0.0.0/8 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 0.0.0.0/8 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 192.0.0.0/24 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 224.0.0.0/4 -j REJECT --reject-with icmp-admin-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 240.0.0.0/4 -j REJECT --reject-with icmp-admin-prohibited',
      'COMMIT',
      '',
    ]);
  });

  it('IPv6: neighbour discovery kept, ULA, link-local and loopback rejected', () => {
    expect(restoreScript({ bridge: 'bxr-rooms', family: 6, allow: [], dnsServers: [] }).split('\n')).toEqual([
      '*filter',
      ':BOXROOM-IN-bxr-rooms - [0:0]',
      ':BOXROOM-OUT-bxr-rooms - [0:0]',
      '-A BOXROOM-IN-bxr-rooms -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      '-A BOXROOM-IN-bxr-rooms -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT',
      '-A BOXROOM-IN-bxr-rooms -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT',
      '-A BOXROOM-IN-bxr-rooms -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
      '-A BOXROOM-OUT-bxr-rooms -d fc00::/7 -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d fe80::/10 -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d ::1/128 -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d ff00::/8 -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d ::ffff:0:0/96 -j REJECT --reject-with icmp6-adm-prohibited',
      '-A BOXROOM-OUT-bxr-rooms -d 64:ff9b::/96 -j REJECT --reject-with icmp6-adm-prohibited',
      'COMMIT',
      '',
    ]);
  });
});

describe('jumps', () => {
  it('enters our chains only from the rooms bridge', () => {
    expect(jumps('bxr-rooms', 'DOCKER-USER')).toEqual([
      { chain: 'INPUT', rule: ['-i', 'bxr-rooms', '-j', 'BOXROOM-IN-bxr-rooms'] },
      { chain: 'DOCKER-USER', rule: ['-i', 'bxr-rooms', '-j', 'BOXROOM-OUT-bxr-rooms'] },
    ]);
  });
});

describe('nameservers', () => {
  it('reads resolv.conf nameserver lines, drops comments and scope ids', () => {
    expect(
      nameservers(
        '# generated\nsearch example\nnameserver 10.255.255.53\n nameserver fe80::1%eth0\n#nameserver 1.1.1.1\nnameserver bogus\n',
      ),
    ).toEqual(['10.255.255.53', 'fe80::1']);
    expect(isLoopback('127.0.0.53')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.2')).toBe(false);
  });
});
