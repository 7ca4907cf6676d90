/**
 * AgentCore's error vocabulary. Every failure that leaves the service is one of these classes;
 * the HTTP layer turns them into `x-amzn-errortype` + `{"message"}` using `httpStatusOf`, and
 * nothing else in the code base decides a status code.
 */
export type ValidationExceptionReason =
  | 'CannotParse'
  | 'FieldValidationFailed'
  | 'IdempotentParameterMismatchException'
  | 'EventInOtherSession'
  | 'ResourceConflict';

export interface ValidationExceptionField {
  name: string;
  message: string;
}

export abstract class AgentCoreError extends Error {
  abstract readonly errorType: string;

  /** Extra members of the error's wire shape besides `message`. */
  wireFields(): Record<string, unknown> {
    return {};
  }
}

export class ValidationException extends AgentCoreError {
  readonly errorType = 'ValidationException';
  constructor(
    message: string,
    readonly reason: ValidationExceptionReason = 'FieldValidationFailed',
    readonly fieldList?: ValidationExceptionField[],
  ) {
    super(message);
  }

  static field(name: string, message: string): ValidationException {
    return new ValidationException(`1 validation error detected: Value at '${name}' ${message}`, 'FieldValidationFailed', [
      { name, message },
    ]);
  }

  override wireFields(): Record<string, unknown> {
    return this.fieldList ? { reason: this.reason, fieldList: this.fieldList } : { reason: this.reason };
  }
}

export class ResourceNotFoundException extends AgentCoreError {
  readonly errorType = 'ResourceNotFoundException';
}
export class ConflictException extends AgentCoreError {
  readonly errorType = 'ConflictException';
}
export class ConcurrentModificationException extends AgentCoreError {
  readonly errorType = 'ConcurrentModificationException';
}
export class AccessDeniedException extends AgentCoreError {
  readonly errorType = 'AccessDeniedException';
}
export class UnauthorizedException extends AgentCoreError {
  readonly errorType = 'UnauthorizedException';
}
export class ThrottlingException extends AgentCoreError {
  readonly errorType = 'ThrottlingException';
}
export class ServiceQuotaExceededException extends AgentCoreError {
  readonly errorType = 'ServiceQuotaExceededException';
}
export class DecryptionFailure extends AgentCoreError {
  readonly errorType = 'DecryptionFailure';
}
export class EncryptionFailure extends AgentCoreError {
  readonly errorType = 'EncryptionFailure';
}
/** A route that names no operation of the contract (AWS answers these the same way). */
export class UnknownOperationException extends AgentCoreError {
  readonly errorType = 'UnknownOperationException';
}
export class InternalServerException extends AgentCoreError {
  readonly errorType = 'InternalServerException';
}

/**
 * Failures that are not ours but a dependency's. AgentCore models InternalServerException as its
 * only server error, so the wire name stays that (every SDK retries it); the status tells an
 * operator, a load balancer and the fuzz test which side failed: 502 an authorization server
 * (unreachable, 5xx, malformed or oversized answer), 504 an authorization server that did not
 * answer within its deadline (the outcome of the request is unknown), 503 an AWS dependency
 * that stalled or was unavailable. A plain InternalServerException (500) is always our bug.
 */
export type DependencyFailureKind = 'upstream' | 'upstream-timeout' | 'aws-unavailable';
const DEPENDENCY_STATUS: Record<DependencyFailureKind, number> = { upstream: 502, 'upstream-timeout': 504, 'aws-unavailable': 503 };

export class DependencyFailure extends InternalServerException {
  constructor(
    message: string,
    readonly kind: DependencyFailureKind,
  ) {
    super(message);
  }
  get status(): number {
    return DEPENDENCY_STATUS[this.kind];
  }
}

const STATUS: Record<string, number> = {
  ValidationException: 400,
  DecryptionFailure: 400,
  EncryptionFailure: 400,
  UnauthorizedException: 401,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  UnknownOperationException: 404,
  ConflictException: 409,
  ConcurrentModificationException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export function httpStatusOf(error: AgentCoreError): number {
  if (error instanceof DependencyFailure) return error.status;
  return STATUS[error.errorType] ?? 500;
}
