import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

/**
 * Deadlines. Lambda ends a function that overruns its timeout (15 s, serverless.yml) with a raw
 * runtime error, which API Gateway turns into a bare 500 and serverless-offline into HTTP 200
 * `{"errorMessage":"[504] - Lambda timeout."}` that the SDKs read as an empty success. So no
 * handler may ever reach its timeout: each invocation gets a budget from the function's own
 * remaining time (never a constant that a slow cold start could push past the timeout), every
 * AWS call is aborted when the budget is spent, and the handler answers on its own a little later
 * whatever else is still running. The per-attempt timeouts keep one stalled call from eating the
 * whole budget while a retry could still succeed.
 *
 * Bound for a 15 s function, measured from the start of the invocation:
 *   - an AWS attempt gives up after `connectionTimeoutMs` without a connection, or after
 *     `requestTimeoutMs` without a complete answer; at most `maxAttempts` attempts per call, so a
 *     call to a stalled service fails after about 8 s;
 *   - every AWS call stops at 15 - awsMarginMs = 14 s (the caller gets 503);
 *   - the handler answers at 15 - answerMarginMs = 14.5 s if something else still runs.
 */
export const DEADLINES = {
  /** Same-region (deployed) or loopback (offline) endpoints connect in milliseconds. */
  connectionTimeoutMs: 1_000,
  /**
   * DynamoDB, Secrets Manager and KMS answer in tens of milliseconds; 2.5 s is a stall, not load.
   * Three stalled attempts (7.5 s plus at most 0.6 s of back-off) fail a call well within the
   * budget, so a handler still answers, and the caller's own retry can meet a recovered service.
   */
  requestTimeoutMs: 2_500,
  /** The first attempt and two retries (the SDK's standard mode, with its retry quota). */
  maxAttempts: 3,
  /**
   * AWS calls stop this long before the function's timeout. Work that calls out first and writes
   * to AWS after (a token refresh keeps 2 s for sealing and storing its answer) must stop its
   * outbound call earlier than this, so that its writes still fit.
   */
  awsMarginMs: 1_000,
  /** The handler answers this long before the function's timeout, whatever still runs. */
  answerMarginMs: 500,
} as const;

/** The reason an AWS call was cut off: the invocation's budget for AWS calls is spent. */
export class AwsDeadlineExceeded extends Error {
  override readonly name = 'AwsDeadlineExceeded';
  constructor() {
    super('the invocation has no time left for AWS calls');
  }
}

interface Invocation {
  /** Aborts (with AwsDeadlineExceeded) when the invocation's AWS budget is spent. */
  aws: AbortSignal;
}

const invocations = new AsyncLocalStorage<Invocation>();

/** The signal every AWS call of the current invocation carries; none outside an invocation. */
export function awsDeadlineSignal(): AbortSignal | undefined {
  return invocations.getStore()?.aws;
}

/** Whether the current invocation's AWS budget is spent (an AbortError then means exactly that). */
export function awsDeadlinePassed(): boolean {
  return invocations.getStore()?.aws.aborted ?? false;
}

/**
 * Runs a handler under its invocation's deadline. `onTimeout` builds the answer given when the
 * handler has not answered `answerMarginMs` before the function's timeout (an AgentCore error for
 * the API, a page for the browser callback, a thrown error for events that Lambda retries).
 * Without a Lambda context that knows its remaining time, the handler runs unbounded. Arguments
 * after the context (Lambda's callback, middy's options) are accepted and not used.
 */
export function withInvocationDeadline<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  onTimeout: (context: Context) => R | Promise<R>,
): (event: E, context: Context, ...unused: unknown[]) => Promise<R> {
  return (event, context) => {
    const remaining = context?.getRemainingTimeInMillis?.();
    if (typeof remaining !== 'number' || !Number.isFinite(remaining) || remaining <= 0) return handler(event, context);
    const controller = new AbortController();
    const budget = setTimeout(() => controller.abort(new AwsDeadlineExceeded()), Math.max(remaining - DEADLINES.awsMarginMs, 0));
    let answer: NodeJS.Timeout | undefined;
    const late = new Promise<R>((resolve, reject) => {
      answer = setTimeout(() => {
        controller.abort(new AwsDeadlineExceeded());
        Promise.resolve()
          .then(() => onTimeout(context))
          .then(resolve, reject);
      }, Math.max(remaining - DEADLINES.answerMarginMs, 0));
    });
    const run = invocations.run({ aws: controller.signal }, () => handler(event, context));
    return Promise.race([run, late]).finally(() => {
      clearTimeout(budget);
      clearTimeout(answer);
    });
  };
}
