/**
 * The extension operations' wire types (/work/shared briefs: "extensions-wire"): the service
 * validates requests against lib/user-connections/model.json and answers with these shapes; the
 * client and the console import them from here.
 */

/** A user as the token vault names them: exactly one of `userId` or `userIssuer` + `userSubject`. */
export interface UserSelector {
  userId?: string;
  userIssuer?: string;
  userSubject?: string;
}

export interface ListUserConnectionsInput extends UserSelector {
  workloadName?: string;
  maxResults?: number;
  nextToken?: string;
}

export type UserConnectionStatus = 'CONNECTED' | 'NEEDS_CONSENT';

export interface UserConnection {
  workloadName: string;
  workloadIdentityArn: string;
  credentialProviderName: string;
  credentialProviderArn: string;
  scopes: string[];
  status: UserConnectionStatus;
  /** Epoch seconds: when the binding was last written. */
  connectedAt: number;
  /** Epoch seconds: when the vaulted access token expires. */
  expiresAt?: number;
}

export interface ListUserConnectionsOutput {
  connections: UserConnection[];
  nextToken?: string;
}

export interface RevokeUserConnectionInput extends UserSelector {
  workloadName: string;
  credentialProviderName: string;
}

export type RevocationOutcome = 'REVOKED' | 'NOT_SUPPORTED' | 'FAILED';

export interface RevokeUserConnectionOutput {
  revocation: RevocationOutcome;
}

export type UserConnectionsOperation = 'ListUserConnections' | 'RevokeUserConnection';
