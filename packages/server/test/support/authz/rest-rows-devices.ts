import { anyone, signedIn, type Variant } from './cells.js';
import { page } from './rest-requests.js';

const noDeviceId = (on: string): readonly Variant[] => [
  { on, request: () => ({ body: {} }), expect: anyone(400) },
];

/**
 * Devices (seed 002). The matrix's users own no device: every role is refused another's (404,
 * as for a device that does not exist); devices.e2e.test.ts checks the owner's own access.
 */
export const DEVICE_ROWS: Readonly<Record<string, readonly Variant[]>> = {
  'GET /v1/devices': [
    { on: 'own devices (none)', request: page('/v1/devices'), expect: signedIn(200) },
  ],
  'POST /v1/devices/bind': [
    {
      on: 'a code no device shows',
      request: () => ({ body: { code: '000000' } }),
      expect: signedIn(404),
    },
  ],
  'GET /v1/devices/:device_id/sessions': [
    {
      on: "a device that is not the role's",
      request: page('/v1/devices/aa:bb:cc:dd:ee:ff/sessions'),
      expect: signedIn(404),
    },
  ],
  'GET /v1/device-sessions/:session_id/logs': [
    {
      on: "a session that is not the role's",
      request: page('/v1/device-sessions/01JNOSUCHSESSION/logs'),
      expect: signedIn(404),
    },
  ],
  'GET /v1/device-sessions/:session_id/events': [
    {
      on: "a session that is not the role's",
      request: page('/v1/device-sessions/01JNOSUCHSESSION/events'),
      expect: signedIn(404),
    },
  ],
  // The OTA endpoint takes no token: a device names itself by its Device-Id header, which
  // these requests lack.
  'POST /xiaozhi/ota/': noDeviceId('no Device-Id header'),
  'POST /xiaozhi/ota': noDeviceId('no Device-Id header'),
  'GET /xiaozhi/ota/': [
    { on: 'no Device-Id header', request: page('/xiaozhi/ota/'), expect: anyone(400) },
  ],
  'GET /xiaozhi/ota': [
    { on: 'no Device-Id header', request: page('/xiaozhi/ota'), expect: anyone(400) },
  ],
  'POST /xiaozhi/ota/activate': noDeviceId('no Device-Id header'),
};
