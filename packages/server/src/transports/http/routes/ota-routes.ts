import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { DeviceService } from '../../../app/devices/device-service.js';
import { invalidArgument } from '../../../domain/errors.js';

export interface OtaRouteOptions {
  readonly devices: DeviceService;
  /** Base URL devices reach this server on; unset: from the request's Host. */
  readonly publicUrl?: string;
  readonly now: () => number;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The device's Device-Id and Client-Id: the token is for that client of that device only. */
function identity(request: FastifyRequest): { deviceId: string; clientId: string } {
  const deviceId = header(request, 'device-id');
  if (deviceId === undefined) throw invalidArgument('Send the Device-Id header.', 'Device-Id');
  const clientId = header(request, 'client-id')?.trim() ?? '';
  if (clientId === '' || clientId.length > 128) {
    throw invalidArgument('Send the Client-Id header (at most 128 characters).', 'Client-Id');
  }
  return { deviceId, clientId };
}

/**
 * The xiaozhi OTA endpoint (DEVICES.md, Activation): a device asks where to connect and with
 * which token; until a user binds it, the answer carries a code for it to show. The device
 * then polls `activate` until it is bound (202 meanwhile, as the firmware expects).
 */
export const otaRoutes: FastifyPluginAsyncZod<OtaRouteOptions> = async (app, options) => {
  const { devices } = options;
  const answer = async (request: FastifyRequest) => {
    const { deviceId, clientId } = identity(request);
    const body = request.body;
    const systemInfo = body === undefined || body === null ? '{}' : JSON.stringify(body);
    const ota = await devices.ota({ deviceId, clientId, systemInfo: systemInfo.slice(0, 16_384) });
    const base = publicBase(request, options.publicUrl);
    const firmwareVersion = firmwareOf(body);
    return {
      server_time: { timestamp: options.now(), timezone_offset: 0 },
      firmware: { version: firmwareVersion, url: '' },
      websocket: {
        url: `${base.replace(/^http/, 'ws')}/xiaozhi/v1/`,
        token: ota.deviceToken ?? '',
      },
      ...(ota.activation !== null && {
        activation: {
          code: ota.activation.code,
          message: `Parley\nBind this device with code ${ota.activation.code}`,
          challenge: ota.activation.challenge,
          timeout_ms: 30_000,
        },
      }),
    };
  };
  for (const url of ['/xiaozhi/ota/', '/xiaozhi/ota']) {
    app.post(
      url,
      { schema: { tags: ['devices'], summary: 'xiaozhi OTA check (activation).' } },
      answer,
    );
    app.get(url, { schema: { hide: true } }, answer);
  }
  app.post(
    '/xiaozhi/ota/activate',
    {
      schema: { tags: ['devices'], summary: 'xiaozhi activation poll: 202 until bound, then 200.' },
    },
    async (request, reply) => {
      const { deviceId, clientId } = identity(request);
      const bound = await devices.isActivated(deviceId, clientId);
      return reply
        .status(bound ? 200 : 202)
        .send(bound ? { activated: true } : { activated: false });
    },
  );
};

function publicBase(request: FastifyRequest, configured: string | undefined): string {
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}

/** The firmware's own version, so that the answer never asks it to upgrade. */
function firmwareOf(body: unknown): string {
  const app = (body as { application?: { version?: unknown } } | null)?.application;
  return typeof app?.version === 'string' ? app.version.slice(0, 64) : '0.0.0';
}
