/**
 * {@link KeyShareStore} on Postgres: sealed records in `key_shares`, one row per (keyId, partyId).
 * @module
 */
import { LocalError } from '../../errors.js';
import { zeroize } from '../../math/bigint.js';
import { sealWith, unsealWith } from '../../stores/envelope.js';
import type {
  KeyProvider,
  KeySharePutOptions,
  KeyShareRef,
  KeyShareStore,
} from '../../stores/types.js';
import { checkId, compareRefs, corrupt, payloadBytes } from '../../stores/validate.js';
import {
  bytes,
  checkClient,
  type PgClientLike,
  type PostgresClientOptions,
  q,
  quoteSchema,
  toBuffer,
} from './client.js';

/** Options of {@link createPostgresKeyShareStore}. */
export interface PostgresKeyShareStoreOptions extends PostgresClientOptions {
  /** Key that seals the shares at rest. */
  keyProvider: KeyProvider;
}

class PgKeyShareStore implements KeyShareStore {
  readonly #c: PgClientLike;
  readonly #s: string;
  readonly #kp: KeyProvider;

  constructor(opts: PostgresKeyShareStoreOptions) {
    this.#c = checkClient(opts?.client);
    this.#s = quoteSchema(opts.schema);
    if (typeof opts.keyProvider?.getKey !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '[postgres] "keyProvider" is required');
    }
    this.#kp = opts.keyProvider;
  }

  async put(
    keyId: string,
    partyId: string,
    share: Uint8Array | string,
    opts: KeySharePutOptions = {},
  ): Promise<void> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const plain = payloadBytes('share', share);
    let sealed: Uint8Array;
    try {
      sealed = await sealWith(this.#kp, 'key-share', [keyId, partyId], plain);
    } finally {
      zeroize(plain);
    }
    const conflict = opts.overwrite
      ? 'DO UPDATE SET data = EXCLUDED.data, updated_at = clock_timestamp()'
      : 'DO NOTHING';
    const rows = await q(
      this.#c,
      'key share put',
      `INSERT INTO ${this.#s}.key_shares (key_id, party_id, data) VALUES ($1, $2, $3)
       ON CONFLICT (key_id, party_id) ${conflict} RETURNING 1 AS ok`,
      [keyId, partyId, toBuffer(sealed)],
    );
    if (rows.length === 0) {
      throw new LocalError('STORE_ERROR', `key share (${keyId}, ${partyId}) already exists`);
    }
  }

  async get(keyId: string, partyId: string): Promise<Uint8Array | undefined> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const rows = await q(
      this.#c,
      'key share get',
      `SELECT data FROM ${this.#s}.key_shares WHERE key_id = $1 AND party_id = $2`,
      [keyId, partyId],
    );
    if (!rows[0]) return undefined;
    const what = `key share (${keyId}, ${partyId})`;
    const sealed = bytes(rows[0].data);
    if (!sealed) throw corrupt(what, 'data column is not bytea');
    return unsealWith(this.#kp, 'key-share', [keyId, partyId], sealed, what);
  }

  async delete(keyId: string, partyId: string): Promise<boolean> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const rows = await q(
      this.#c,
      'key share delete',
      `DELETE FROM ${this.#s}.key_shares WHERE key_id = $1 AND party_id = $2 RETURNING 1 AS ok`,
      [keyId, partyId],
    );
    return rows.length > 0;
  }

  async list(filter: { keyId?: string } = {}): Promise<KeyShareRef[]> {
    if (filter.keyId !== undefined) checkId('keyId', filter.keyId);
    const rows =
      filter.keyId === undefined
        ? await q(this.#c, 'key share list', `SELECT key_id, party_id FROM ${this.#s}.key_shares`)
        : await q(
            this.#c,
            'key share list',
            `SELECT key_id, party_id FROM ${this.#s}.key_shares WHERE key_id = $1`,
            [filter.keyId],
          );
    return rows
      .map((r) => ({ keyId: String(r.key_id), partyId: String(r.party_id) }))
      .sort(compareRefs);
  }
}

/**
 * A {@link KeyShareStore} on Postgres; shares are sealed with AES-256-GCM under `keyProvider`,
 * so a database dump alone reveals nothing. Run {@link migrate} once before use.
 *
 * @example
 * ```ts
 * const shares = createPostgresKeyShareStore({ client: pool, keyProvider: envKeyProvider() });
 * await shares.put(keyId, partyId, JSON.stringify(keyShare));
 * ```
 */
export function createPostgresKeyShareStore(opts: PostgresKeyShareStoreOptions): KeyShareStore {
  return new PgKeyShareStore(opts);
}
