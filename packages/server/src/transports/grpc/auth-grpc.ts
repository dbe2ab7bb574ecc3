import {
  AuthServiceService,
  type Empty,
  type GuestLoginRequest,
  type GuestLoginResponse,
  type LoginRequest,
  type LoginResponse,
  type LogoutRequest,
  type RefreshTokenRequest,
  type RefreshTokenResponse,
  type RegisterRequest,
  type RegisterResponse,
  type VerifyTokenRequest,
  type VerifyTokenResponse,
} from '@parley/proto';
import type { AuthResult, AuthService } from '../../app/accounts/auth-service.js';
import { isAppError } from '../../domain/errors.js';
import { PASSWORD_MAX } from '../../domain/user.js';
import { authedUnary, publicUnary, type CallGuard } from './grpc-call.js';
import { toUser } from './grpc-codec.js';
import { boundedText } from './grpc-input.js';
import type { GrpcServer } from './grpc-server.js';

const TEXT_MAX = 1024;

/** im.api.AuthService: the account use cases of /v1/auth/*. Only Logout needs a token. */
export function addAuthService(server: GrpcServer, guard: CallGuard, auth: AuthService): void {
  const deviceId = (value: string) => (value === '' ? undefined : value);
  const signedIn = (r: AuthResult) => ({
    token: r.access_token,
    user: toUser(r.user),
    refreshToken: r.refresh_token,
    expiresIn: r.expires_in,
    sessionId: r.session_id,
  });
  server.add('im.api.AuthService', AuthServiceService, {
    login: publicUnary<LoginRequest, LoginResponse>(guard, 'Login', async (req, ctx) =>
      signedIn(
        await auth.login(
          {
            username: boundedText(req.username, 'username', TEXT_MAX),
            password: boundedText(req.password, 'password', PASSWORD_MAX),
            deviceId: deviceId(req.deviceId),
          },
          ctx.client,
        ),
      ),
    ),
    register: publicUnary<RegisterRequest, RegisterResponse>(guard, 'Register', async (req, ctx) =>
      signedIn(
        await auth.register(
          {
            username: req.username,
            password: req.password,
            nickname: req.nickname === '' ? undefined : req.nickname,
            deviceId: deviceId(req.deviceId),
          },
          ctx.client,
        ),
      ),
    ),
    guestLogin: publicUnary<GuestLoginRequest, GuestLoginResponse>(
      guard,
      'GuestLogin',
      async (req, ctx) =>
        signedIn(
          await auth.guest(
            {
              nickname: req.nickname === '' ? undefined : req.nickname,
              deviceId: deviceId(req.deviceId),
            },
            ctx.client,
          ),
        ),
    ),
    // What a token says; an invalid, expired or ended one is `valid: false`, not an error.
    verifyToken: publicUnary<VerifyTokenRequest, VerifyTokenResponse>(
      guard,
      'VerifyToken',
      async (req) => {
        try {
          const info = await auth.verify(boundedText(req.token, 'token', 8 * TEXT_MAX));
          return {
            valid: true,
            userId: info.user_id,
            sessionId: info.session_id,
            isGuest: info.is_guest,
            expiresAt: info.expires_at,
          };
        } catch (err) {
          if (!isAppError(err) || err.code !== 'UNAUTHENTICATED') throw err;
          return { valid: false, userId: '', sessionId: '', isGuest: false, expiresAt: 0 };
        }
      },
    ),
    refreshToken: publicUnary<RefreshTokenRequest, RefreshTokenResponse>(
      guard,
      'RefreshToken',
      async (req) => {
        const tokens = await auth.refresh(boundedText(req.refreshToken, 'refresh_token', TEXT_MAX));
        return {
          token: tokens.access_token,
          refreshToken: tokens.refresh_token,
          expiresIn: tokens.expires_in,
          sessionId: tokens.session_id,
        };
      },
    ),
    logout: authedUnary<LogoutRequest, Empty>(guard, 'Logout', async (_req, ctx) => {
      await auth.logout(ctx.auth);
      return {};
    }),
  });
}
