import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
  type MemoryMetadataRecords,
  type MemorySessionRecords,
} from '../../src/stores/memory.js';
import {
  keyShareStoreSuite,
  metadataStoreSuite,
  sessionStoreSuite,
} from '../../src/testing/index.js';

const runner = { describe, it, expect, beforeEach, afterEach };

// A bare store is enough for the suites...
keyShareStoreSuite(runner, () => createMemoryKeyShareStore(), {
  name: 'memory KeyShareStore (bare)',
});

// ...and a harness with hooks also runs the corrupt-record tests.
keyShareStoreSuite(
  runner,
  () => {
    const records = new Map<string, Uint8Array>();
    return {
      store: createMemoryKeyShareStore({ records }),
      async corrupt(ref, how) {
        const k = JSON.stringify([ref.keyId, ref.partyId]);
        const rec = records.get(k)!;
        if (how === 'truncate') records.set(k, rec.subarray(0, rec.length - 5));
        else {
          const copy = rec.slice();
          copy[copy.length - 20]! ^= 0x01;
          records.set(k, copy);
        }
      },
    };
  },
  { name: 'memory KeyShareStore' },
);

metadataStoreSuite(
  runner,
  () => {
    const records: MemoryMetadataRecords = {
      keys: new Map(),
      nodes: new Map(),
      sessions: new Map(),
      audit: [],
    };
    const maps = { key: records.keys, node: records.nodes, signingSession: records.sessions };
    return {
      store: createMemoryMetadataStore({ records }),
      async corrupt(kind, id) {
        const m = maps[kind];
        const raw = JSON.parse(m.get(id)!);
        // A different kind of damage for each record type.
        if (kind === 'key') m.set(id, JSON.stringify({ ...raw, parties: 'not-a-list' }));
        if (kind === 'node') m.set(id, '{"id": "truncated');
        if (kind === 'signingSession') m.set(id, JSON.stringify({ ...raw, status: 'bogus' }));
      },
    };
  },
  { name: 'memory MetadataStore' },
);

sessionStoreSuite(
  runner,
  () => {
    const records: MemorySessionRecords = {
      snapshots: new Map(),
      locks: new Map(),
      fences: new Map(),
      sessionIds: new Map(),
      presignatures: new Map(),
      usedPresignatures: new Set(),
    };
    return {
      store: createMemorySessionStore({ records }),
      async corruptSnapshot(sessionId, partyId) {
        const rec = records.snapshots.get(JSON.stringify([sessionId, partyId]))!;
        rec.sealed = rec.sealed.slice();
        rec.sealed[10]! ^= 0xff;
      },
    };
  },
  { name: 'memory SessionStore' },
);
