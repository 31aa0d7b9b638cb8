import { describe, expect, it } from 'vitest';
import { listenAddress, methodNotAllowedBody, peerHeader, requestPath, securityHeaders, stampRequest } from '../../lib/http/front-door.mjs';

// lib/http/front-door.mjs is what server.mjs does before Next sees a request.
describe('listen address', () => {
  it('binds loopback in development unless HOST says otherwise', () => {
    expect(listenAddress(true, {})).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(listenAddress(true, { HOST: '0.0.0.0', PORT: '4000' })).toEqual({ host: '0.0.0.0', port: 4000 });
  });

  it('binds every interface in production (containers), HOST and PORT override', () => {
    expect(listenAddress(false, {})).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(listenAddress(false, { HOST: '127.0.0.1', PORT: '8080' })).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it('refuses a PORT that is not a port', () => {
    expect(() => listenAddress(false, { PORT: 'eighty' })).toThrow(/PORT/);
  });
});

describe('request stamping', () => {
  it('replaces a client-sent peer or URL header with what the socket and request line say', () => {
    const req = {
      url: '/exports?status=failed',
      socket: { remoteAddress: '10.1.2.3' },
      headers: { [peerHeader]: '6.6.6.6', 'x-export-console-url': '/\\evil.com' } as Record<string, string>,
      rawHeaders: ['X-Export-Console-Peer', '6.6.6.6', 'Host', 'app', 'x-export-console-url', '/\\evil.com'],
    };
    stampRequest(req as never);
    expect(req.headers[peerHeader]).toBe('10.1.2.3');
    expect(req.headers['x-export-console-url']).toBe('/exports?status=failed');
    expect(req.rawHeaders).toEqual(['Host', 'app']);
  });

  it('keeps the deep link without Next’s _rsc parameter and without normalising it', () => {
    expect(requestPath('/exports?status=failed&_rsc=abc12')).toBe('/exports?status=failed');
    expect(requestPath('/exports?_rsc=1')).toBe('/exports');
    expect(requestPath('/users')).toBe('/users');
    expect(requestPath('/\\evil.com?a=1')).toBe('/\\evil.com?a=1');
  });
});

describe('refused methods', () => {
  it('answer with the product error body, echoing only a token-shaped method', () => {
    expect(JSON.parse(methodNotAllowedBody('TRACE'))).toEqual({
      error: { code: 'validation', message: 'Method TRACE is not supported', hint: 'Use GET or POST as /api/openapi.json documents.' },
    });
    expect(methodNotAllowedBody('<script>')).not.toContain('<script>');
  });
});

describe('security headers', () => {
  it('forbid framing and sniffing, and send HSTS only over https', () => {
    const plain = securityHeaders({ dev: false, https: false });
    expect(plain['Content-Security-Policy']).toMatch(/frame-ancestors 'none'/);
    expect(plain['Content-Security-Policy']).not.toMatch(/unsafe-eval/);
    expect(plain['X-Frame-Options']).toBe('DENY');
    expect(plain['X-Content-Type-Options']).toBe('nosniff');
    expect(plain['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders({ dev: false, https: true })['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
  });
});
