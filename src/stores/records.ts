/**
 * Metadata records: checks of caller input (`INVALID_ARGUMENT`) and of stored data
 * (`STORE_CORRUPT`), shared by the memory and Postgres metadata stores so both accept and
 * reject exactly the same things.
 * @internal
 * @module
 */
import { LocalError } from '../errors.js';
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditJsonValue,
  KEY_STATUSES,
  type KeyPatch,
  type KeyRecord,
  type KeyStatus,
  type NewKeyRecord,
  type NewSigningSession,
  NODE_STATUSES,
  type NodeInput,
  type NodePatch,
  type NodeRecord,
  type NodeStatus,
  SIGNING_SESSION_STATUSES,
  type SigningSessionPatch,
  type SigningSessionRecord,
  type SigningSessionStatus,
} from './types.js';
import { checkCount, checkEnum, checkId, checkIdList, checkText, corrupt } from './validate.js';

// --- input checks -------------------------------------------------------------------------------

function optText(title: string, v: unknown, max: number): string | undefined {
  return v === undefined ? undefined : checkText(title, v, max);
}

function checkPlainObject(title: string, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" expected an object`);
  }
}

/** Checks 1 ≤ minSigners ≤ n. */
export function checkKeyShape(minSigners: number, n: number): void {
  checkCount('minSigners', minSigners, 1);
  if (minSigners > n) throw new LocalError('INVALID_ARGUMENT', '"minSigners" exceeds n');
}

/** Validates {@link NewKeyRecord} and builds the stored record. */
export function newKeyRecord(input: NewKeyRecord, now: number): KeyRecord {
  checkPlainObject('key', input);
  const parties = checkIdList('parties', input.parties);
  checkKeyShape(input.minSigners, parties.length);
  const rec: KeyRecord = {
    id: checkId('id', input.id),
    curve: checkText('curve', input.curve, 64),
    minSigners: input.minSigners,
    n: parties.length,
    parties,
    status:
      input.status === undefined ? 'pending' : checkEnum('status', input.status, KEY_STATUSES),
    createdAt: now,
    updatedAt: now,
  };
  const publicKey = optText('publicKey', input.publicKey, 1024);
  const chain = optText('chain', input.chain, 128);
  const address = optText('address', input.address, 512);
  if (publicKey !== undefined) rec.publicKey = publicKey;
  if (chain !== undefined) rec.chain = chain;
  if (address !== undefined) rec.address = address;
  return rec;
}

/** Validates each field of a {@link KeyPatch} alone (combined checks: {@link applyKeyPatch}). */
export function checkKeyPatch(patch: KeyPatch): void {
  checkPlainObject('patch', patch);
  if (patch.publicKey !== undefined && patch.publicKey !== null) {
    checkText('publicKey', patch.publicKey, 1024);
  }
  if (patch.chain !== undefined && patch.chain !== null) checkText('chain', patch.chain, 128);
  if (patch.address !== undefined && patch.address !== null) {
    checkText('address', patch.address, 512);
  }
  if (patch.status !== undefined) checkEnum('status', patch.status, KEY_STATUSES);
  if (patch.minSigners !== undefined) checkCount('minSigners', patch.minSigners, 1);
  if (patch.parties !== undefined) checkIdList('parties', patch.parties);
}

function setOpt<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | null | undefined): void {
  if (v === undefined) return;
  if (v === null) delete o[k];
  else o[k] = v;
}

/** Applies a checked patch to a copy of `rec`. */
export function applyKeyPatch(rec: KeyRecord, patch: KeyPatch, now: number): KeyRecord {
  checkKeyPatch(patch);
  const out: KeyRecord = { ...rec, parties: [...rec.parties], updatedAt: now };
  if (patch.parties !== undefined) {
    out.parties = [...patch.parties];
    out.n = out.parties.length;
  }
  if (patch.minSigners !== undefined) out.minSigners = patch.minSigners;
  if (patch.status !== undefined) out.status = patch.status;
  setOpt(out, 'publicKey', patch.publicKey);
  setOpt(out, 'chain', patch.chain);
  setOpt(out, 'address', patch.address);
  checkKeyShape(out.minSigners, out.n);
  return out;
}

/** Validates {@link NodeInput}. */
export function checkNodeInput(input: NodeInput): void {
  checkPlainObject('node', input);
  checkId('id', input.id);
  checkText('endpoint', input.endpoint, 1024);
  checkText('identityKey', input.identityKey, 1024);
  if (input.status !== undefined) checkEnum('status', input.status, NODE_STATUSES);
  if (input.capabilities !== undefined) checkIdList('capabilities', input.capabilities, true);
  if (input.lastSeen !== undefined) checkCount('lastSeen', input.lastSeen, 0);
}

/** Validates a {@link NodePatch}. */
export function checkNodePatch(patch: NodePatch): void {
  checkPlainObject('patch', patch);
  if (patch.endpoint !== undefined) checkText('endpoint', patch.endpoint, 1024);
  if (patch.identityKey !== undefined) checkText('identityKey', patch.identityKey, 1024);
  if (patch.status !== undefined) checkEnum('status', patch.status, NODE_STATUSES);
  if (patch.capabilities !== undefined) checkIdList('capabilities', patch.capabilities, true);
  if (patch.lastSeen !== undefined && patch.lastSeen !== null) {
    checkCount('lastSeen', patch.lastSeen, 0);
  }
}

/** Builds a new node record, or merges `input` into `prev`. */
export function upsertNodeRecord(
  prev: NodeRecord | undefined,
  input: NodeInput,
  now: number,
): NodeRecord {
  checkNodeInput(input);
  const out: NodeRecord = {
    id: input.id,
    endpoint: input.endpoint,
    identityKey: input.identityKey,
    status: input.status ?? prev?.status ?? 'online',
    capabilities: [...(input.capabilities ?? prev?.capabilities ?? [])],
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
  };
  const lastSeen = input.lastSeen ?? prev?.lastSeen;
  if (lastSeen !== undefined) out.lastSeen = lastSeen;
  return out;
}

/** Applies a checked patch to a copy of `rec`. */
export function applyNodePatch(rec: NodeRecord, patch: NodePatch, now: number): NodeRecord {
  checkNodePatch(patch);
  const out: NodeRecord = { ...rec, capabilities: [...rec.capabilities], updatedAt: now };
  if (patch.endpoint !== undefined) out.endpoint = patch.endpoint;
  if (patch.identityKey !== undefined) out.identityKey = patch.identityKey;
  if (patch.status !== undefined) out.status = patch.status;
  if (patch.capabilities !== undefined) out.capabilities = [...patch.capabilities];
  setOpt(out, 'lastSeen', patch.lastSeen);
  return out;
}

/** Validates {@link NewSigningSession} and builds the stored record. */
export function newSigningSessionRecord(
  input: NewSigningSession,
  now: number,
): SigningSessionRecord {
  checkPlainObject('session', input);
  return {
    id: checkId('id', input.id),
    keyId: checkId('keyId', input.keyId),
    protocol: checkText('protocol', input.protocol, 64),
    status:
      input.status === undefined
        ? 'pending'
        : checkEnum('status', input.status, SIGNING_SESSION_STATUSES),
    participants: checkIdList('participants', input.participants),
    messageHash: checkText('messageHash', input.messageHash, 1024),
    createdAt: now,
    updatedAt: now,
  };
}

/** Validates a {@link SigningSessionPatch}. */
export function checkSigningSessionPatch(patch: SigningSessionPatch): void {
  checkPlainObject('patch', patch);
  if (patch.status !== undefined) checkEnum('status', patch.status, SIGNING_SESSION_STATUSES);
  if (patch.participants !== undefined) checkIdList('participants', patch.participants);
  if (patch.signature !== undefined && patch.signature !== null) {
    checkText('signature', patch.signature, 4096);
  }
  if (patch.error !== undefined && patch.error !== null) checkText('error', patch.error, 4096);
}

/** Applies a checked patch to a copy of `rec`. */
export function applySigningSessionPatch(
  rec: SigningSessionRecord,
  patch: SigningSessionPatch,
  now: number,
): SigningSessionRecord {
  checkSigningSessionPatch(patch);
  const out: SigningSessionRecord = {
    ...rec,
    participants: [...rec.participants],
    updatedAt: now,
  };
  if (patch.status !== undefined) out.status = patch.status;
  if (patch.participants !== undefined) out.participants = [...patch.participants];
  setOpt(out, 'signature', patch.signature);
  setOpt(out, 'error', patch.error);
  return out;
}

/** Validates {@link AuditEventInput}; returns a JSON-clean copy (max 64 KiB of data). */
export function checkAuditInput(input: AuditEventInput): AuditEventInput {
  checkPlainObject('event', input);
  const out: AuditEventInput = { type: checkText('type', input.type, 128) };
  if (input.nodeId !== undefined) out.nodeId = checkId('nodeId', input.nodeId);
  if (input.sessionId !== undefined) out.sessionId = checkId('sessionId', input.sessionId);
  if (input.keyId !== undefined) out.keyId = checkId('keyId', input.keyId);
  if (input.actor !== undefined) out.actor = checkText('actor', input.actor, 256);
  if (input.data !== undefined) {
    checkPlainObject('data', input.data);
    let json: string;
    try {
      json = JSON.stringify(input.data);
    } catch (e) {
      throw new LocalError('INVALID_ARGUMENT', '"data" must be JSON-serializable', { cause: e });
    }
    if (json.length > 65_536) throw new LocalError('INVALID_ARGUMENT', '"data" exceeds 64 KiB');
    // Postgres jsonb cannot hold U+0000; reject it everywhere so adapters agree.
    if (json.includes('\\u0000')) {
      throw new LocalError('INVALID_ARGUMENT', '"data" must not contain U+0000');
    }
    out.data = JSON.parse(json) as { [k: string]: AuditJsonValue };
  }
  return out;
}

// --- decoding of stored records ----------------------------------------------------------------

type Raw = Record<string, unknown>;

function rawObject(raw: unknown, what: string): Raw {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw corrupt(what, 'not an object');
  }
  return raw as Raw;
}

function str(r: Raw, k: string, what: string): string {
  const v = r[k];
  if (typeof v !== 'string' || v.length === 0) throw corrupt(what, `field "${k}" is invalid`);
  return v;
}

function optStr(r: Raw, k: string, what: string): string | undefined {
  const v = r[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw corrupt(what, `field "${k}" is invalid`);
  return v;
}

function int(r: Raw, k: string, what: string): number {
  const v = r[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw corrupt(what, `field "${k}" is invalid`);
  }
  return v;
}

function optInt(r: Raw, k: string, what: string): number | undefined {
  const v = r[k];
  if (v === undefined || v === null) return undefined;
  return int(r, k, what);
}

function strList(r: Raw, k: string, what: string): string[] {
  const v = r[k];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw corrupt(what, `field "${k}" is invalid`);
  }
  return [...(v as string[])];
}

function oneOf<T extends string>(r: Raw, k: string, allowed: readonly T[], what: string): T {
  const v = r[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw corrupt(what, `field "${k}" is invalid`);
  }
  return v as T;
}

function withOpt<T extends object>(o: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  return o;
}

/** Decodes a stored key (camelCase fields); `STORE_CORRUPT` naming the key on bad data. */
export function decodeKeyRecord(raw: unknown, id: string): KeyRecord {
  const what = `key "${id}"`;
  const r = rawObject(raw, what);
  const parties = strList(r, 'parties', what);
  const rec: KeyRecord = {
    id: str(r, 'id', what),
    curve: str(r, 'curve', what),
    minSigners: int(r, 'minSigners', what),
    n: int(r, 'n', what),
    parties,
    status: oneOf<KeyStatus>(r, 'status', KEY_STATUSES, what),
    createdAt: int(r, 'createdAt', what),
    updatedAt: int(r, 'updatedAt', what),
  };
  if (rec.id !== id) throw corrupt(what, 'id mismatch');
  if (rec.n !== parties.length) throw corrupt(what, 'n does not match parties');
  return withOpt(rec, {
    publicKey: optStr(r, 'publicKey', what),
    chain: optStr(r, 'chain', what),
    address: optStr(r, 'address', what),
  });
}

/** Decodes a stored node. */
export function decodeNodeRecord(raw: unknown, id: string): NodeRecord {
  const what = `node "${id}"`;
  const r = rawObject(raw, what);
  const rec: NodeRecord = {
    id: str(r, 'id', what),
    endpoint: str(r, 'endpoint', what),
    identityKey: str(r, 'identityKey', what),
    status: oneOf<NodeStatus>(r, 'status', NODE_STATUSES, what),
    capabilities: strList(r, 'capabilities', what),
    createdAt: int(r, 'createdAt', what),
    updatedAt: int(r, 'updatedAt', what),
  };
  if (rec.id !== id) throw corrupt(what, 'id mismatch');
  return withOpt(rec, { lastSeen: optInt(r, 'lastSeen', what) });
}

/** Decodes a stored signing session. */
export function decodeSigningSessionRecord(raw: unknown, id: string): SigningSessionRecord {
  const what = `signing session "${id}"`;
  const r = rawObject(raw, what);
  const rec: SigningSessionRecord = {
    id: str(r, 'id', what),
    keyId: str(r, 'keyId', what),
    protocol: str(r, 'protocol', what),
    status: oneOf<SigningSessionStatus>(r, 'status', SIGNING_SESSION_STATUSES, what),
    participants: strList(r, 'participants', what),
    messageHash: str(r, 'messageHash', what),
    createdAt: int(r, 'createdAt', what),
    updatedAt: int(r, 'updatedAt', what),
  };
  if (rec.id !== id) throw corrupt(what, 'id mismatch');
  return withOpt(rec, {
    signature: optStr(r, 'signature', what),
    error: optStr(r, 'error', what),
  });
}

/** Decodes a stored audit event. */
export function decodeAuditEvent(raw: unknown, seq: number): AuditEvent {
  const what = `audit event ${seq}`;
  const r = rawObject(raw, what);
  const data = r.data;
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw corrupt(what, 'field "data" is invalid');
  }
  const ev: AuditEvent = {
    seq: int(r, 'seq', what),
    at: int(r, 'at', what),
    type: str(r, 'type', what),
  };
  return withOpt(ev, {
    nodeId: optStr(r, 'nodeId', what),
    sessionId: optStr(r, 'sessionId', what),
    keyId: optStr(r, 'keyId', what),
    actor: optStr(r, 'actor', what),
    data: data ?? undefined,
  });
}
