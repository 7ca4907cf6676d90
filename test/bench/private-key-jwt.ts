/**
 * What PRIVATE_KEY_JWT adds to a token request: the assertion's size, the time to build one
 * around a signature (claims, base64url, DER to JOSE; the signer answered in process, as KMS
 * would), and a KMS Sign round trip against moto (a loopback emulator, not AWS's latency).
 * Calls are fixed by construction and tested (test/integration/private-key-jwt-calls.test.ts):
 * one Sign per token request, no GetPublicKey or DescribeKey after create.
 */
import { generateKeyPairSync } from 'node:crypto';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientAssertion, type JwsAlgorithm } from '../../lib/oauth2/client-assertion.js';
import { KmsSigningKeys } from '../../lib/oauth2/kms-signer.js';
import { resolvePrivateKeyJwt } from '../../lib/oauth2/private-key-jwt.js';
import { answerLikeKms } from '../setup/local-kms.js';

const ROUNDS = 300;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const WHERE = { partition: 'aws', region: 'us-east-1' };

async function perCall(call: () => Promise<unknown>, rounds = ROUNDS): Promise<number> {
  for (let i = 0; i < 20; i++) await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await call();
  return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
}

export async function benchPrivateKeyJwt(): Promise<string[]> {
  const { startEmulator } = await import('../../infra/local/emulator.js');
  const emulator = await startEmulator();
  const lines = ['private_key_jwt client assertions', '| alg | assertion bytes | build, signer in process (ms) | KMS Sign on moto (ms) |', '|---|---|---|---|'];
  try {
    const moto = new KmsSigningKeys(new KMSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials }));
    const localClient = new KMSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials, maxAttempts: 1 });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const localArn = (n: number) => `arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-00000000000${n}`;
    answerLikeKms(localClient, new Map([[localArn(1), { privateKey: rsa, keySpec: 'RSA_2048' }], [localArn(2), { privateKey: ec, keySpec: 'ECC_NIST_P256' }]]));
    const local = new KmsSigningKeys(localClient);
    for (const [alg, spec, localKey] of [['RS256', 'RSA_2048', localArn(1)], ['PS256', 'RSA_2048', localArn(1)], ['ES256', 'ECC_NIST_P256', localArn(2)]] as const) {
      const config = (kmsKeyArn: string) => ({ privateKeySource: { kmsKeySource: { kmsKeyArn } }, signingAlgorithm: alg as JwsAlgorithm });
      const inProcess = await resolvePrivateKeyJwt(config(localKey), 'bench', local, WHERE);
      const built = await clientAssertion(inProcess, 'bench-client', 'https://as.example.com', local.sign, Date.now());
      const buildMs = await perCall(() => clientAssertion(inProcess, 'bench-client', 'https://as.example.com', local.sign, Date.now()));
      const keyArn = (await new KMSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials }).send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
      const onMoto = await resolvePrivateKeyJwt(config(keyArn), 'bench', moto, WHERE);
      const motoMs = await perCall(() => clientAssertion(onMoto, 'bench-client', 'https://as.example.com', moto.sign, Date.now()), 100);
      lines.push(`| ${alg} | ${built.length} | ${buildMs.toFixed(2)} | ${motoMs.toFixed(2)} |`);
    }
    lines.push('(build includes the local RSA/ECDSA signature; KMS signs in its HSMs, so a deployed Sign is one KMS round trip)');
  } finally {
    await emulator.stop();
  }
  return lines;
}

if (process.argv[1]?.endsWith('private-key-jwt.ts')) {
  benchPrivateKeyJwt().then((lines) => console.log(lines.join('\n')));
}
