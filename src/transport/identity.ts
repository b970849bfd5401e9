/**
 * Node identities for the secure channel: an Ed25519 key that signs every envelope, and an
 * X25519 key that point-to-point payloads are encrypted to.
 *
 * The two keys are independent (no Ed25519-to-X25519 conversion), so each is used for exactly
 * one purpose. A {@link KeyDirectory} maps party ids to {@link PublicIdentity}s; how it is
 * filled (a config file, the metadata store's node table) is the deployment's business, and it
 * is the root of trust: whoever can write to it can impersonate parties.
 *
 * Secrets are plain `Uint8Array`s so they can be wiped ({@link destroyIdentity}); JavaScript
 * cannot promise that no copy survives elsewhere (the JSON export is a string and cannot be
 * wiped at all), so keep exports short-lived and store them encrypted.
 * @module
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { LocalError } from '../errors.js';
import { bytesToHex, hexToBytes, zeroize } from '../math/bigint.js';
import { isValidId } from '../wire/envelope.js';

/** Format version of exported identities. */
export const IDENTITY_VERSION = 1;

/** The public keys of a party, as peers know them. */
export interface PublicIdentity {
  /** Party id. */
  readonly partyId: string;
  /** Ed25519 public key (32 bytes): verifies the party's signatures. */
  readonly signingPublicKey: Uint8Array;
  /** X25519 public key (32 bytes): point-to-point payloads to the party are encrypted to it. */
  readonly exchangePublicKey: Uint8Array;
}

/** A party's identity with its secret keys. Keep it secret; wipe it with {@link destroyIdentity}. */
export interface NodeIdentity extends PublicIdentity {
  /** Ed25519 secret key (32-byte seed). */
  readonly signingSecretKey: Uint8Array;
  /** X25519 secret key (32 bytes). */
  readonly exchangeSecretKey: Uint8Array;
}

/**
 * Looks up a party's public keys. A `Map<string, PublicIdentity>` is one; so is an adapter over
 * a metadata store's node table.
 */
export interface KeyDirectory {
  /** The keys of `partyId`, or `undefined` for an unknown party. */
  get(partyId: string): PublicIdentity | undefined;
}

function invalid(message: string): never {
  throw new LocalError('INVALID_ARGUMENT', message);
}

function checkPartyId(partyId: unknown): string {
  if (!isValidId(partyId)) invalid('"partyId" must be 1..128 printable ASCII characters');
  return partyId;
}

function key32(title: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== 32) {
    invalid(`"${title}" expected Uint8Array of length 32, got ${describe(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  return v instanceof Uint8Array ? `length=${v.length}` : `type=${typeof v}`;
}

// Any clamped scalar maps a low-order X25519 point to zero, which noble rejects.
const PROBE_SCALAR = new Uint8Array(32).fill(0x42);

/** Checks an Ed25519 public key: a valid encoding of a point not of small order. */
function checkSigningKey(pk: Uint8Array): void {
  let ok = false;
  try {
    const point = ed25519.Point.fromBytes(pk, false);
    ok = !point.isSmallOrder();
  } catch {
    ok = false;
  }
  if (!ok) invalid('"signingPublicKey" is not a valid Ed25519 public key');
}

/** Checks an X25519 public key: not a low-order point (those make the shared secret zero). */
function checkExchangeKey(pk: Uint8Array): void {
  let ok = false;
  try {
    x25519.getSharedSecret(PROBE_SCALAR, pk);
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok) invalid('"exchangePublicKey" is not a valid X25519 public key');
}

/**
 * Validates public keys and returns a frozen copy. Throws {@link LocalError}
 * `INVALID_ARGUMENT` for a bad party id or a key that is malformed or of small order.
 *
 * @example
 * ```ts
 * const bob = checkPublicIdentity({ partyId: 'bob', signingPublicKey, exchangePublicKey });
 * ```
 */
export function checkPublicIdentity(id: PublicIdentity): PublicIdentity {
  if (typeof id !== 'object' || id === null) invalid('public identity must be an object');
  const partyId = checkPartyId(id.partyId);
  const signingPublicKey = key32('signingPublicKey', id.signingPublicKey).slice();
  const exchangePublicKey = key32('exchangePublicKey', id.exchangePublicKey).slice();
  checkSigningKey(signingPublicKey);
  checkExchangeKey(exchangePublicKey);
  return Object.freeze({ partyId, signingPublicKey, exchangePublicKey });
}

function fromSecrets(partyId: string, signingSecretKey: Uint8Array, exchangeSecretKey: Uint8Array) {
  return {
    partyId,
    signingSecretKey,
    exchangeSecretKey,
    signingPublicKey: ed25519.getPublicKey(signingSecretKey),
    exchangePublicKey: x25519.getPublicKey(exchangeSecretKey),
  };
}

/**
 * Generates a fresh identity (Ed25519 and X25519 keys from the platform CSPRNG).
 *
 * @example
 * ```ts
 * const alice = generateIdentity('alice');
 * publish(exportPublicIdentity(alice));      // peers put it in their directory
 * save(exportIdentity(alice));               // store encrypted; contains secrets
 * ```
 */
export function generateIdentity(partyId: string): NodeIdentity {
  checkPartyId(partyId);
  return fromSecrets(partyId, ed25519.utils.randomSecretKey(), x25519.utils.randomSecretKey());
}

/**
 * The public half of an identity (fresh copies of the keys).
 *
 * @example
 * ```ts
 * const directory = createKeyDirectory(identities.map(publicIdentityOf));
 * ```
 */
export function publicIdentityOf(id: PublicIdentity): PublicIdentity {
  return Object.freeze({
    partyId: id.partyId,
    signingPublicKey: id.signingPublicKey.slice(),
    exchangePublicKey: id.exchangePublicKey.slice(),
  });
}

/**
 * Wipes the secret keys of an identity (best effort: JavaScript may hold other copies).
 *
 * @example
 * ```ts
 * await channel.close();
 * destroyIdentity(alice);
 * ```
 */
export function destroyIdentity(id: NodeIdentity): void {
  zeroize(id.signingSecretKey, id.exchangeSecretKey);
}

/**
 * Exports an identity with its secret keys as JSON (hex keys). The string contains secrets and
 * cannot be wiped: encrypt it at rest.
 *
 * @example
 * ```ts
 * const json = exportIdentity(generateIdentity('alice'));
 * const again = importIdentity(json);
 * ```
 */
export function exportIdentity(id: NodeIdentity): string {
  checkPartyId(id.partyId);
  return JSON.stringify({
    version: IDENTITY_VERSION,
    partyId: id.partyId,
    signingSecretKey: bytesToHex(key32('signingSecretKey', id.signingSecretKey)),
    exchangeSecretKey: bytesToHex(key32('exchangeSecretKey', id.exchangeSecretKey)),
  });
}

function parseJson(json: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    invalid(`${what} is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(`${what} must be an object`);
  const obj = v as Record<string, unknown>;
  if (obj.version !== IDENTITY_VERSION) invalid(`${what} has unsupported version`);
  return obj;
}

function hexKey(obj: Record<string, unknown>, field: string): Uint8Array {
  const v = obj[field];
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) {
    invalid(`"${field}" must be 64 lowercase hex characters`);
  }
  return hexToBytes(v);
}

function exactFields(obj: Record<string, unknown>, fields: string[], what: string): void {
  const keys = Object.keys(obj).sort();
  const want = [...fields].sort();
  if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) {
    invalid(`${what} must have exactly the fields ${want.join(', ')}`);
  }
}

/**
 * Imports an identity exported by {@link exportIdentity}; the public keys are recomputed from
 * the secret ones. Throws {@link LocalError} `INVALID_ARGUMENT` on anything malformed (the
 * message never contains key material).
 *
 * @example
 * ```ts
 * const alice = importIdentity(await readFile('alice.identity.json', 'utf8'));
 * ```
 */
export function importIdentity(json: string): NodeIdentity {
  const obj = parseJson(json, 'identity');
  exactFields(obj, ['version', 'partyId', 'signingSecretKey', 'exchangeSecretKey'], 'identity');
  const partyId = checkPartyId(obj.partyId);
  return fromSecrets(partyId, hexKey(obj, 'signingSecretKey'), hexKey(obj, 'exchangeSecretKey'));
}

/**
 * Exports the public keys of an identity as JSON (hex keys), for peers' directories.
 *
 * @example
 * ```ts
 * const line = exportPublicIdentity(alice); // {"version":1,"partyId":"alice",...}
 * const pub = importPublicIdentity(line);
 * ```
 */
export function exportPublicIdentity(id: PublicIdentity): string {
  checkPartyId(id.partyId);
  return JSON.stringify({
    version: IDENTITY_VERSION,
    partyId: id.partyId,
    signingPublicKey: bytesToHex(key32('signingPublicKey', id.signingPublicKey)),
    exchangePublicKey: bytesToHex(key32('exchangePublicKey', id.exchangePublicKey)),
  });
}

/**
 * Imports and validates public keys exported by {@link exportPublicIdentity}.
 *
 * @example
 * ```ts
 * const directory = createKeyDirectory(lines.map(importPublicIdentity));
 * ```
 */
export function importPublicIdentity(json: string): PublicIdentity {
  const obj = parseJson(json, 'public identity');
  exactFields(
    obj,
    ['version', 'partyId', 'signingPublicKey', 'exchangePublicKey'],
    'public identity',
  );
  return checkPublicIdentity({
    partyId: checkPartyId(obj.partyId),
    signingPublicKey: hexKey(obj, 'signingPublicKey'),
    exchangePublicKey: hexKey(obj, 'exchangePublicKey'),
  });
}

/**
 * Builds a {@link KeyDirectory} from a list of public identities, validating every key.
 * Throws {@link LocalError} `INVALID_ARGUMENT` for a bad key, a duplicate party id, or a key
 * used by two parties.
 *
 * @example
 * ```ts
 * const ids = ['a', 'b', 'c'].map(generateIdentity);
 * const directory = createKeyDirectory(ids.map(publicIdentityOf));
 * directory.get('b')?.signingPublicKey;
 * ```
 */
export function createKeyDirectory(
  identities: Iterable<PublicIdentity>,
): ReadonlyMap<string, PublicIdentity> {
  const map = new Map<string, PublicIdentity>();
  const keys = new Set<string>();
  for (const raw of identities) {
    const id = checkPublicIdentity(raw);
    if (map.has(id.partyId)) invalid(`party "${id.partyId}" appears twice in the directory`);
    for (const k of [id.signingPublicKey, id.exchangePublicKey]) {
      const hex = bytesToHex(k);
      if (keys.has(hex)) invalid(`a key of party "${id.partyId}" is used by another party`);
      keys.add(hex);
    }
    map.set(id.partyId, id);
  }
  return map;
}
