/**
 * A local fake of the VIES REST API's POST /check-vat-number, answering each
 * outcome the jobs Worker must handle, chosen by the number's country:
 *   DE, EL, IE  valid (a consultation number when a requester is sent)
 *   FR          not valid
 *   ES          INVALID_INPUT (an error VIES gives for a number it cannot check)
 *   NL          MS_UNAVAILABLE (the member state's service is down), HTTP 500
 *   BE          a gateway's HTML error page, HTTP 502
 *   AT          INVALID_REQUESTER_INFO when a requester is sent, else valid
 * GET /__requests lists the questions asked so far (and empties the list).
 * Never the real service: the tests point VIES_URL here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Asked {
  countryCode: string;
  vatNumber: string;
  requesterMemberStateCode?: string;
  requesterNumber?: string;
}

const NAMES: Record<string, [string, string]> = {
  DE: ['MUSTER GMBH', 'MUSTERSTRASSE 1\n10115 BERLIN'],
  EL: ['ΠΑΡΑΔΕΙΓΜΑ Α.Ε.', 'ΟΔΟΣ 1 10431 ΑΘΗΝΑ'],
  IE: ['EXAMPLE LIMITED', '1 MAIN STREET, DUBLIN'],
  AT: ['BEISPIEL GMBH', 'HAUPTPLATZ 1, 1010 WIEN'],
};

function answer(asked: Asked): { status: number; type?: string; body: string } {
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const error = (status: number, code: string) => json(status, { actionSucceed: false, errorWrappers: [{ error: code, message: code }] });
  const requester = asked.requesterNumber ? { requesterMemberStateCode: asked.requesterMemberStateCode, requesterNumber: asked.requesterNumber } : {};
  const valid = (country: string) =>
    json(200, {
      countryCode: asked.countryCode,
      vatNumber: asked.vatNumber,
      requestDate: '2026-12-01T10:00:00.000Z',
      valid: true,
      requestIdentifier: asked.requesterNumber ? `WAPI${country}${asked.vatNumber}` : '',
      name: NAMES[country]![0],
      address: NAMES[country]![1],
      ...requester,
    });
  switch (asked.countryCode) {
    case 'DE':
    case 'EL':
    case 'IE':
      return valid(asked.countryCode);
    case 'FR':
      return json(200, { countryCode: 'FR', vatNumber: asked.vatNumber, requestDate: '2026-12-01T10:00:00.000Z', valid: false, requestIdentifier: '', name: '---', address: '---' });
    case 'ES':
      return error(400, 'INVALID_INPUT');
    case 'NL':
      return error(500, 'MS_UNAVAILABLE');
    case 'BE':
      return { status: 502, type: 'text/html', body: '<html><body>Bad gateway</body></html>' };
    case 'AT':
      return asked.requesterNumber ? error(400, 'INVALID_REQUESTER_INFO') : valid('AT');
    default:
      return error(400, 'INVALID_INPUT');
  }
}

export async function startFakeVies(): Promise<{ url: string; server: Server }> {
  let asked: Asked[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__requests') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(asked));
      asked = [];
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/check-vat-number') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Asked;
      asked.push(body);
      const { status, type, body: text } = answer(body);
      res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
