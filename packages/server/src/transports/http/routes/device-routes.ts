import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import type { DeviceService } from '../../../app/devices/device-service.js';
import {
  BindBody,
  ConnectionEventList,
  DeviceEnvelope,
  DeviceList,
  DeviceParams,
  DeviceSessionList,
  DeviceSessionParams,
  MessageLogList,
  PageQuery,
  toPublicDevice,
  toPublicDeviceSession,
  toPublicEvent,
  toPublicLog,
} from '../../../protocol/rest-device-schemas.js';
import { ErrorBody } from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];

/** The owner's devices (DEVICES.md): bind, list, and each session's log and events. */
export const deviceRoutes: FastifyPluginAsyncZod<{
  auth: AuthService;
  devices: DeviceService;
}> = async (app, { auth, devices }) => {
  app.addHook(
    'preHandler',
    requireAuth((token) => auth.authenticate(token)),
  );

  app.get(
    '/v1/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "The caller's devices, by device id.",
        security: bearer,
        querystring: PageQuery,
        response: { 200: DeviceList, ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const page = await devices.listDevices(callerOf(request), cursor, limit);
      return { devices: page.items.map(toPublicDevice), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/devices/bind',
    {
      schema: {
        tags: ['devices'],
        summary: 'Bind the device that shows this code to the caller.',
        security: bearer,
        body: BindBody,
        response: { 200: DeviceEnvelope, 403: ErrorBody, ...errors },
      },
    },
    async (request) => ({
      device: toPublicDevice(await devices.bind(callerOf(request), request.body.code)),
    }),
  );

  app.get(
    '/v1/devices/:device_id/sessions',
    {
      schema: {
        tags: ['devices'],
        summary: "A device's sessions, newest first (the owner only).",
        security: bearer,
        params: DeviceParams,
        querystring: PageQuery,
        response: { 200: DeviceSessionList, ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const page = await devices.listSessions(
        callerOf(request),
        request.params.device_id,
        cursor,
        limit,
      );
      return { sessions: page.items.map(toPublicDeviceSession), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/device-sessions/:session_id/logs',
    {
      schema: {
        tags: ['devices'],
        summary: "A session's JSON frames in and out, and its audio per turn, in order.",
        security: bearer,
        params: DeviceSessionParams,
        querystring: PageQuery,
        response: { 200: MessageLogList, ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const page = await devices.listLogs(
        callerOf(request),
        request.params.session_id,
        cursor,
        limit,
      );
      return { logs: page.items.map(toPublicLog), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/device-sessions/:session_id/events',
    {
      schema: {
        tags: ['devices'],
        summary: "A session's connection events in order.",
        security: bearer,
        params: DeviceSessionParams,
        querystring: PageQuery,
        response: { 200: ConnectionEventList, ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const page = await devices.listEvents(
        callerOf(request),
        request.params.session_id,
        cursor,
        limit,
      );
      return { events: page.items.map(toPublicEvent), next_cursor: page.nextCursor };
    },
  );
};
