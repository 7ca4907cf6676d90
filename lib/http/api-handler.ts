import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { operationForRoute, operationSpec, shapes, type EdgeOperationName } from '../contract/model.js';
import { validateShape } from '../contract/validate.js';
import { AgentCoreError, DependencyFailure, httpStatusOf, UnknownOperationException, ValidationException } from '../errors.js';
import { toAgentCoreError } from '../aws/errors.js';
import { withAuditSlot, type AuditSlot } from '../audit.js';
import { logger } from '../logger.js';
import type { Input, Output } from '../contract/types.js';
import { callerContext, type CallerContext, type CallerSettings } from './caller-context.js';
import { authorizeCall } from './authorization.js';

/** An operation as the edge calls it: its validated input in, the SDK's response shape (or nothing) out. */
export type OperationImpl<Op extends EdgeOperationName> = (input: Input<Op>, caller: CallerContext) => Promise<Output<Op> | void>;
/** The operations a function serves; tsc checks each entry against the contract's (or the extension model's) types. */
export type OperationTable = { [Op in EdgeOperationName]?: OperationImpl<Op> };

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/**
 * The edge of every JSON API function: resolve the operation from the route, parse and validate
 * the body against the contract, run the operation, and shape the answer (or the error) the way
 * the official AgentCore clients expect it.
 */
export function apiHandler(table: OperationTable, settings: () => CallerSettings) {
  const handle = (event: Event, context: Context): Promise<Result> => withAuditSlot((slot) => handleRequest(event, context, slot));
  const handleRequest = async (event: Event, context: Context, slot: AuditSlot): Promise<Result> => {
    // The Lambda request id: unique per call both deployed and offline (where API Gateway's is not).
    const requestId = context.awsRequestId;
    const started = Date.now();
    // A vend's audit record carries the request's status and latency: one line per vend, not two.
    const audited = (status: number) => slot.fields && { ...slot.fields, status, latencyMs: Date.now() - started };
    let operation: EdgeOperationName | undefined;
    try {
      operation = resolveOperation(event);
      // One operation's entry; the union of every entry's parameter types would be `never`.
      const impl = operation && (table[operation] as OperationImpl<EdgeOperationName> | undefined);
      if (!operation || !impl) throw new UnknownOperationException('The requested operation is not supported by this endpoint.');
      logger.appendKeys({ operation });
      const spec = operationSpec(operation);
      const input = validateShape<Input<EdgeOperationName>>(spec.input, requestInput(event, spec.input));
      const current = settings();
      let caller = callerContext(event, context, requestId, current);
      // Before anything runs: a denied call writes nothing.
      if (current.authorization) caller = await authorizeCall(operation, input as Record<string, unknown>, event, caller, current.authorization);
      const output = await impl(input, caller);
      const line = audited(spec.status);
      if (line) logger.info('audit', line);
      else logger.info('request completed', { status: spec.status, latencyMs: Date.now() - started });
      return respond(spec.status, requestId, spec.status === 204 ? undefined : (output ?? {}));
    } catch (thrown) {
      const error = toAgentCoreError(thrown);
      const status = httpStatusOf(error);
      const line = audited(status);
      if (status >= 500) logger.error('request failed', { errorType: error.errorType, cause: describe(thrown), ...line });
      else if (line) logger.info('audit', line);
      else logger.info('request refused', { status, errorType: error.errorType });
      return respondError(error, status, requestId);
    }
  };
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handle);
}

/**
 * The operation is what API Gateway matched, never what the path merely looks like: a request that
 * reached the catch-all route went around its route's authorizer, so it names no operation.
 */
function resolveOperation(event: Event): EdgeOperationName | undefined {
  const [method, path] = (event.routeKey ?? '').split(' ');
  return method && path ? operationForRoute(method, path) : undefined;
}

/**
 * The operation's input as restJson1 carries it: the JSON body, plus the members the contract
 * places in the path (`location: uri`) or the query string, which override any body member of
 * the same name. A query member of list type takes every value given under its name.
 */
function requestInput(event: Event, inputShape: string): unknown {
  const body = parseBody(event);
  const members = shapes[inputShape]?.members ?? {};
  const located = Object.entries(members).filter(([, ref]) => ref.location === 'uri' || ref.location === 'querystring');
  if (located.length === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const input: Record<string, unknown> = { ...body };
  const query = new URLSearchParams(event.rawQueryString ?? '');
  for (const [member, ref] of located) {
    delete input[member];
    const name = ref.locationName ?? member;
    const value = ref.location === 'uri' ? pathParameter(event, name) : queryValue(query, name, shapes[ref.shape]?.type === 'list');
    if (value !== undefined) input[member] = value;
  }
  return input;
}

/**
 * Deployed, API Gateway hands path parameters decoded; serverless-offline may hand them still
 * percent-encoded. None of the values our path members admit holds a '%', so one that does is
 * decoded here; what does not decode is left as it is, for validation to refuse.
 */
function pathParameter(event: Event, name: string): string | undefined {
  const value = event.pathParameters?.[name];
  if (value === undefined || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function queryValue(query: URLSearchParams, name: string, list: boolean): string | string[] | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return list ? values : values[0];
}

function parseBody(event: Event): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationException('The request body is not valid JSON.', 'CannotParse');
  }
}

/** Timestamps travel as epoch seconds in restJson1. */
function wireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

function respond(status: number, requestId: string, body: object | undefined): Result {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: body === undefined ? '' : wireJson(body),
  };
}

/**
 * The answer of an API function that has not finished shortly before its timeout (see
 * lib/aws/deadline.ts): a retryable AgentCore error instead of the runtime's raw timeout.
 */
export function lateAnswer(context: Context): Result {
  const error = new DependencyFailure('The service could not complete the request in time. Try again later.', 'aws-unavailable');
  const status = httpStatusOf(error);
  logger.error('request failed', { errorType: error.errorType, status, cause: { name: 'DeadlineExceeded', message: 'no answer before the function deadline' } });
  return respondError(error, status, context.awsRequestId);
}

function respondError(error: AgentCoreError, status: number, requestId: string): Result {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.errorType,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ message: error.message, ...error.wireFields() }),
  };
}

/** What an unexpected failure was, for operators; SDK errors carry no request payloads. */
function describe(thrown: unknown): Record<string, unknown> {
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message, stack: thrown.stack };
  return { value: typeof thrown };
}
