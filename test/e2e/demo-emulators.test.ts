import { describe, expect, it } from 'vitest';
import { startDemoEmulators } from '../../scripts/lib/demo-emulators.js';

describe('pnpm start demo mode: emulated third parties', () => {
  it('configures every adapter against a live emulator', async () => {
    const demo = await startDemoEmulators({});
    try {
      expect(Object.keys(demo.env).sort()).toEqual([
        'AUTH_TOKEN', 'CLOVER_SANDBOX_API_URL', 'CLOVER_SANDBOX_ECOMMERCE_URL', 'CLOVER_SANDBOX_OAUTH_URL', 'CLOVER_SANDBOX_TOKEN_URL',
        'HELPDESK_OPENAI_API_KEY', 'HELPDESK_OPENAI_BASE_URL', 'HELPDESK_SMTP_URL', 'ODOO_API_BASE_URL', 'ODOO_API_TOKEN', 'ODOO_PARTNER_ID',
        'WEBHOOK_URL', 'WEX_API_URL', 'WEX_PASSWORD', 'WEX_USERNAME',
      ]);
      // The WEX emulator answers as WEX does: wrong credentials are refused.
      const wex = await fetch(demo.env.WEX_API_URL!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(wex.status).toBe(401);
      // The Odoo vendor API takes the demo token for the demo partner, and only for it.
      const read = (partner: string) =>
        fetch(`${demo.env.ODOO_API_BASE_URL}/vendor_api/product/read?partner_id=${partner}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demo.env.ODOO_API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ default_codes: ['DEMO-1'] }),
        });
      expect((await read(demo.env.ODOO_PARTNER_ID!)).status).toBe(200);
      expect((await read('999')).status).not.toBe(200);
      expect(demo.describe().join('\n')).toMatch(/WEX .*Odoo.*webhook/);
    } finally {
      await demo.stop();
    }
  });

  it('leaves an adapter the caller configured alone, whole', async () => {
    const demo = await startDemoEmulators({ ODOO_API_BASE_URL: 'https://odoo.example.com', AUTH_TOKEN: 'mine', HELPDESK_SMTP_URL: 'smtp://mail.example.com' });
    try {
      expect(demo.env).not.toHaveProperty('ODOO_API_BASE_URL');
      expect(demo.env).not.toHaveProperty('ODOO_API_TOKEN');
      expect(demo.env).not.toHaveProperty('ODOO_PARTNER_ID');
      expect(demo.env).not.toHaveProperty('HELPDESK_SMTP_URL');
      expect(demo.env).not.toHaveProperty('AUTH_TOKEN');
      expect(demo.env.WEBHOOK_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(demo.describe().join('\n')).not.toMatch(/Odoo vendor|SMTP/);
    } finally {
      await demo.stop();
    }
  });
});
