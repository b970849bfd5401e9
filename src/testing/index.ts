/**
 * `mpc-tss/testing`: conformance suites for third-party stores (and, later, transports and a
 * local `simulate(n, t)` helper).
 *
 * The suites take your test runner's functions instead of importing one, so any adapter runs
 * them in three lines:
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { sessionStoreSuite } from 'mpc-tss/testing';
 * sessionStoreSuite({ describe, it, expect }, () => createMySessionStore());
 * ```
 * @module
 */
export type { CorruptionKind, KeyShareStoreHarness } from './key-share-suite.js';
export { keyShareStoreSuite } from './key-share-suite.js';
export type { MetadataRecordKind, MetadataStoreHarness } from './metadata-suite.js';
export { metadataStoreSuite } from './metadata-suite.js';
export type {
  Expectation,
  FactoryResult,
  SuiteOptions,
  TestContextLike,
  TestRunner,
} from './runner.js';
export type { SessionStoreHarness } from './session-suite.js';
export { sessionStoreSuite } from './session-suite.js';
export type {
  PartyFactory,
  SimulatedPartyContext,
  SimulateOptions,
  SimulateResult,
} from './simulate.js';
export { simulate } from './simulate.js';
