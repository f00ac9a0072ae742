import net from 'node:net';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Parse `10.0.0.0/8,2001:db8::/32,203.0.113.7` into a matcher; throws naming the bad entry. */
export function parseCidrs(list: string[]): net.BlockList {
  const block = new net.BlockList();
  for (const raw of list) {
    const entry = raw.trim();
    const [address, prefix] = entry.split('/');
    const type = net.isIPv6(address ?? '') ? 'ipv6' : net.isIPv4(address ?? '') ? 'ipv4' : undefined;
    if (!type) throw new Error(`not an IP address or CIDR: ${entry}`);
    if (prefix === undefined) block.addAddress(address!, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (type === 'ipv4' ? 32 : 128))
        throw new Error(`bad prefix length: ${entry}`);
      block.addSubnet(address!, bits, type);
    }
  }
  return block;
}

function matches(block: net.BlockList, ip: string): boolean {
  // IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (v4) return block.check(v4, 'ipv4');
  return net.isIPv6(ip) ? block.check(ip, 'ipv6') : net.isIPv4(ip) ? block.check(ip, 'ipv4') : false;
}

/**
 * Refuse requests from outside the configured ranges (`*`: everyone; empty: not restricted here, which only an app
 * built without configuration gets: configuration never hands an empty list to a web process, see
 * app/stack/fail-closed.ts). `req.ip` honours X-Forwarded-For only from the proxies Express trusts (TRUSTED_PROXIES),
 * so a client cannot talk its way in with a forged header.
 */
export function ipAllowList(cidrs: string[], what: string, logger: Logger): RequestHandler {
  if (cidrs.length === 0 || cidrs.includes('*')) return (_req, _res, next) => next();
  const block = parseCidrs(cidrs);
  return (req, res, next) => {
    const ip = req.ip ?? '';
    if (matches(block, ip)) return next();
    logger.warn({ ip, what }, 'request from outside the allow-list refused');
    res.status(403).json({ error: { code: 'Forbidden', message: `address not allowed for the ${what}` } });
  };
}
