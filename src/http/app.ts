import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ApiError, errors } from './apiError.js';
import type { AppDeps } from './appDeps.js';
import { authenticate, type AuthPolicy, type Principal } from './authenticate.js';
import { clientErrorHandler } from './clientErrors.js';
import { installConnectionGate, type ConnectionGate } from './connectionGate.js';
import { bodyHash } from './idempotency.js';
import { sandboxRoutes } from './routes/sandbox/sandboxRoutes.js';
import { vkWebhookRoutes } from './routes/vkWebhooks.js';
import { whatsappWebhookRoutes } from './routes/whatsappWebhooks.js';
import { parseJsonBody } from './jsonDepth.js';
import { listeningOrigin } from './origin.js';
import { repeatedQuery } from './repeatedQuery.js';
import { validatorCompiler } from './validatorCompiler.js';
import { messageRoutes } from './routes/messages.js';
import { accountRoutes } from './routes/account.js';
import { flashcallConversionRoutes } from './routes/flashcallConversion.js';
import { shortLinkRoutes } from './routes/shortLinks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Connections below Fastify: cap, new-connection timeout, drain on close (connectionGate.ts). */
    connectionGate: ConnectionGate;
  }
  interface FastifyContextConfig {
    auth?: AuthPolicy;
  }
  interface FastifyRequest {
    principal: Principal;
    /** SHA-256 of the raw body bytes, for idempotency. */
    bodyHash: string;
  }
}

export const API_PREFIX = '/api/v1';
export const DEFAULT_SHORT_LINK_PATH = '/s';

/** The HTTP adapter: Fastify with the Direct API's auth, parsing and error rules (spec §2, §3). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { http } = deps.config;
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: http.bodyLimitBytes,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s, which is how slow headers lasted ~92 s).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(http.headersTimeoutMs / 4))),
      // The gate answers a missing Host in the envelope; Node's own 400 has no body.
      requireHostHeader: false,
    },
    // Node's parser errors and timeouts (400, 408, 431) in the envelope, not Fastify's bodies.
    clientErrorHandler,
    return503OnClosing: false,
    // A uuid longer than the default 100 characters must still get the API's 404, not Fastify's 414.
    routerOptions: { maxParamLength: 16_384 },
    frameworkErrors: (error, _request, reply) => {
      const apiError = error.code === 'FST_ERR_BAD_URL' ? errors.notFound() : errors.badRequest();
      // frameworkErrors' reply is typed for route schemas it has none of.
      const raw = reply as unknown as { code(status: number): { send(body: unknown): void } };
      raw.code(apiError.status).send(apiError.body());
    },
  });
  app.decorate('connectionGate', installConnectionGate(app.server, http));
  // Before Fastify's own close, which would drop idle kept-alive connections under clients' feet.
  app.addHook('preClose', () => app.connectionGate.drain());
  // Each route's schema checks its params, query and body; a failure is the spec's answer (validatorCompiler.ts).
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('bodyHash', '');

  // Any content type is parsed as JSON (spec §2.1): lenient toward clients that omit the header.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, raw: Buffer, done) => {
    try {
      const body = parseJsonBody(raw);
      if (request.headers['idempotency-key'] !== undefined) request.bodyHash = bodyHash(raw);
      done(null, body);
    } catch {
      done(errors.badRequest(), undefined);
    }
  });

  // Authentication runs before the body is read (spec §3.2). Any Content-Type, even one that is not a
  // media type at all, means JSON (§2.1): rewrite it before Fastify picks a parser.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] !== undefined) request.headers['content-type'] = 'application/json';
    const policy = request.routeOptions.config.auth;
    if (policy) request.principal = await authenticate(deps.store, request.headers.authorization, policy);
  });

  app.addHook('preValidation', async (request) => {
    const { schema } = request.routeOptions;
    // No body at all is no JSON (spec §3.4, 4000), before any schema speaks of its fields.
    if (schema?.body !== undefined && request.body === undefined) throw errors.badRequest();
    // Repeated keys kept, in order (§2.5): the query schema takes the last value of a single parameter.
    if (schema?.querystring !== undefined) request.query = repeatedQuery(request.raw.url);
  });

  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
      // A header the route set may be what failed (an invalid value): the envelope goes out with its own only.
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      // A failed writeHead leaves its reason phrase behind ("500 Found"); Node only fills in an empty one.
      reply.raw.statusMessage = '';
    }
    return reply.code(apiError.status).headers(apiError.headers).send(apiError.body());
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errors.notFound().body()));

  await app.register(swagger, {
    openapi: {
      info: { title: 'direct-gateway: Direct API', version: '1', description: 'Wire-compatible Direct API (see spec/direct-api.md).' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  // The base is known once the server listens (the port may be chosen by the system).
  const shortLinkBase = () => deps.config.shortLinkBase ?? `${listeningOrigin(app, deps.config)}${DEFAULT_SHORT_LINK_PATH}`;
  const basePath = deps.config.shortLinkBase === null ? DEFAULT_SHORT_LINK_PATH : new URL(deps.config.shortLinkBase).pathname;
  await app.register(shortLinkRoutes, { ...deps, basePath });
  await app.register(messageRoutes, { ...deps, shortLinkBase, prefix: API_PREFIX });
  await app.register(accountRoutes, { ...deps, prefix: API_PREFIX });
  await app.register(flashcallConversionRoutes, { ...deps, prefix: API_PREFIX });
  await app.register(whatsappWebhookRoutes, deps);
  await app.register(vkWebhookRoutes, deps);
  if (deps.config.sandbox) await app.register(sandboxRoutes, deps);
  return app;
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.payloadTooLarge();
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return errors.badRequest();
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 400) return errors.badRequest();
  return errors.internal();
}
