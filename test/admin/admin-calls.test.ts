/**
 * The admin API's call search and call view (hostile input is data), its input limits and transport rules
 * (validation, body size, append-only audit, security headers, address allow-lists), and `switchboard admin` over it.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, serve, cli, auditCount } = api;

describe('calls', () => {
  it('searches calls newest first, a page at a time', async () => {
    const t = await token(SUPERVISOR);
    const first = await call('GET', '/api/admin/calls?limit=3', { token: t });
    expect(first.status).toBe(200);
    expect(first.json.items.map((c: { id: string }) => c.id)).toEqual(['call-3', 'call-2', 'call-1']);
    const second = await call('GET', `/api/admin/calls?limit=3&cursor=${first.json.nextCursor}`, { token: t });
    expect(second.json.items.map((c: { id: string }) => c.id)).toEqual(['call-0']);
    expect(second.json.nextCursor).toBeNull();
    const byCaller = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('+1425555011')}`, { token: t });
    expect(byCaller.json.items.map((c: { id: string }) => c.id)).toEqual(['call-1']);
    // LIKE wildcards in the search are data: "100%" finds only the caller literally named so.
    const literal = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('100%_')}`, { token: t });
    expect(literal.json.items.map((c: { id: string }) => c.id)).toEqual(['call-3']);
    const wildcard = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('%')}`, { token: t });
    expect(wildcard.json.items).toEqual([]);
  });

  it('shows a call with its timeline', async () => {
    const res = await call('GET', '/api/admin/calls/call-1', { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'call-1', fromId: '+14255550111', timeline: [{ seq: 1, type: 'incoming' }] });
  });

  it.each(["' OR '1'='1", "x'; drop table call; --", '1) or (1=1', '\\', '"; select pg_sleep(1); --'])(
    'treats %s as data in every string field and parameter',
    async (evil) => {
      const t = await token(ADMIN);
      const q = encodeURIComponent(evil);
      const search = await call('GET', `/api/admin/calls?caller=${q}&queue=${q}`, { token: t });
      expect(search.status).toBe(200);
      expect(search.json.items).toEqual([]);
      expect((await call('GET', `/api/admin/calls?outcome=${q}`, { token: t })).status).toBe(400);
      expect((await call('GET', `/api/admin/calls/${q}`, { token: t })).status).toBe(400);
      expect((await call('GET', `/api/admin/audit?action=${q}`, { token: t })).status).toBe(200);
      const put = await call('PUT', '/api/admin/wrap-up-codes/sqli', { token: t, body: { label: evil } });
      expect(put.status).toBe(200);
      expect(put.json.label).toBe(evil.trim());
      const rows = await api.orm.em.getConnection().execute('select count(*)::int as n from call');
      expect(rows[0]!.n).toBe(4);
    },
  );

  it('refuses path traversal in ids', async () => {
    const t = await token(ADMIN);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', 'a%00b']) {
      expect((await call('GET', `/api/admin/calls/${id}`, { token: t })).status).toBe(400);
    }
    // URL normalisation turns %2E%2E into `..` before routing: it lands on no route at all.
    const dots = await call('GET', '/api/admin/calls/%2E%2E/%2E%2E/package.json', { token: t });
    expect(dots.status).toBe(404);
    expect(JSON.stringify(dots.json)).not.toContain('switchboard');
  });
});

describe('input limits and transport', () => {
  it('explains invalid input with the field path', async () => {
    const t = await token(ADMIN);
    const bad = await call('PUT', '/api/admin/wrap-up-codes/x', { token: t, body: { label: '', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['body.label', 'body']),
    );
    const limit = await call('GET', '/api/admin/calls?limit=0', { token: t });
    expect(limit.json.error.details[0].path).toBe('query.limit');
    expect((await call('GET', '/api/admin/calls?cursor=garbage', { token: t })).status).toBe(400);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await call('PUT', '/api/admin/wrap-up-codes/big', {
      token: await token(ADMIN),
      body: { label: 'x'.repeat(200_000) },
    });
    expect(res.status).toBe(413);
  });

  it('offers no way to change or delete audit entries, and the database refuses it too', async () => {
    const t = await token(ADMIN);
    expect((await call('DELETE', '/api/admin/audit', { token: t })).status).toBe(404);
    expect((await call('PUT', '/api/admin/audit/1', { token: t, body: {} })).status).toBe(404);
    await expect(
      api.orm.em.getConnection().execute(`update audit_entry set actor_name = 'someone else'`),
    ).rejects.toThrow(/append-only/);
    await expect(api.orm.em.getConnection().execute('delete from audit_entry')).rejects.toThrow(/append-only/);
  });

  it('sets security headers', async () => {
    const res = await call('GET', '/api/admin/me', { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses addresses outside the allow-list, and believes X-Forwarded-For only from a trusted proxy', async () => {
    const t = await token(ADMIN);
    const closed = await serve({ adminAllowedCidrs: ['10.0.0.0/8'] });
    expect((await call('GET', '/api/admin/me', { base: closed, token: t })).status).toBe(403);
    // A client claiming to be inside, with no trusted proxy in between: still refused.
    expect(
      (await call('GET', '/api/admin/me', { base: closed, token: t, headers: { 'x-forwarded-for': '10.1.2.3' } }))
        .status,
    ).toBe(403);
    const behindProxy = await serve({ adminAllowedCidrs: ['10.0.0.0/8'], trustedProxies: ['127.0.0.1/32', '::1/128'] });
    const viaProxy = await call('GET', '/api/admin/me', {
      base: behindProxy,
      token: t,
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.json.ip).toBe('10.1.2.3');
    const webhookClosed = await serve({ webhookAllowedCidrs: ['10.0.0.0/8'] });
    expect((await call('POST', '/api/calling', { base: webhookClosed, body: { value: [] } })).status).toBe(403);
  });
});

describe('switchboard admin (CLI over the same API)', () => {
  it('sets a wrap-up code as an admin, audited like any API change', async () => {
    const before = await auditCount();
    const r = await cli(['wrap-up-code', 'set', 'callback', 'Callback', 'arranged'], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'callback', label: 'Callback arranged', active: true });
    expect(await auditCount()).toBe(before + 1);
  });

  it('exits 1 with the API’s reason when the API refuses', async () => {
    const r = await cli(['wrap-up-code', 'set', 'x', 'y'], await token(SUPERVISOR));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('403: requires one of: Switchboard.Admin\n');
    const bad = await cli(['calls', '--limit', '0'], await token(SUPERVISOR));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^400: query.limit/);
  });

  it('exits 2 with usage on a wrong command or no token', async () => {
    expect((await cli(['calls'])).code).toBe(2);
    const wrong = await cli(['frobnicate'], await token(ADMIN));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/unknown or incomplete admin command 'frobnicate'/);
  });

  it('lists calls filtered by caller', async () => {
    const r = await cli(['calls', '--caller', '+44', '--json'], await token(SUPERVISOR));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.map((c: { id: string }) => c.id)).toEqual(['call-2']);
  });
});
