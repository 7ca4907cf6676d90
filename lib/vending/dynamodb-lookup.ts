import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CredentialProviderRecord, ProviderKey } from '../credential-providers/store.js';
import { fromItem } from '../token-vault/dynamodb-store.js';
import type { VendingLookup } from './lookup.js';

/**
 * One BatchGetItem across the identities, providers and vault tables: a warm vend's only DynamoDB call.
 *
 * Strongly consistent (`consistent` true), an update, a deletion or a rotation applies to the very
 * next vend, and a vend never reads a record older than one an update already answered: 1 read
 * unit per item (up to 4 KB), 2 per vend. Eventually consistent, half that: 1 per API-key or M2M
 * vend, at the price that a read may miss a write of the last moment (DynamoDB's replicas agree
 * within about a second), so such news may reach vends that much later. Checks that follow a
 * write of the service's own (consent start and completion) always read strongly.
 */
export class DynamoDbVendingLookup implements VendingLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { workloadIdentities: string; credentialProviders: string; tokenVault: string },
    private readonly consistent: () => boolean = () => true,
  ) {}

  async lookup(workloadName: string, provider: ProviderKey, bindingId?: string, options?: { consistent?: boolean }) {
    const consistent = options?.consistent ?? this.consistent();
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> | undefined = {
      [this.tables.workloadIdentities]: {
        Keys: [{ directory: 'default', name: workloadName }],
        ProjectionExpression: '#n, createdTime, allowedResourceOauth2ReturnUrls',
        ExpressionAttributeNames: { '#n': 'name' },
        ConsistentRead: consistent,
      },
      [this.tables.credentialProviders]: { Keys: [{ kind: provider.kind, name: provider.name }], ConsistentRead: consistent },
      ...(bindingId ? { [this.tables.tokenVault]: { Keys: [{ pk: bindingId }] } } : {}),
    };
    const found: Record<string, Record<string, unknown>[]> = {};
    // Unprocessed keys (throttling) are retried, as BatchGetItem requires.
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** Math.min(attempt, 5)));
      const result = await this.client.send(new BatchGetCommand({ RequestItems: request }));
      for (const [table, items] of Object.entries(result.Responses ?? {})) (found[table] ??= []).push(...items);
      request = result.UnprocessedKeys as typeof request;
      if (attempt > 8) throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
    }
    const workload = found[this.tables.workloadIdentities]?.[0];
    return {
      workloadCreatedTime: workload ? Number(workload.createdTime) : undefined,
      allowedReturnUrls: (workload?.allowedResourceOauth2ReturnUrls as string[] | undefined) ?? [],
      binding: found[this.tables.tokenVault]?.[0] ? fromItem(found[this.tables.tokenVault]![0]!) : undefined,
      provider: found[this.tables.credentialProviders]?.[0] as CredentialProviderRecord | undefined,
    };
  }
}
