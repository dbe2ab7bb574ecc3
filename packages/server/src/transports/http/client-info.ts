import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../../app/accounts/auth-context.js';

export const clientInfo = (request: FastifyRequest): ClientInfo => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? '',
});
