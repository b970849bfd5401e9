/**
 * Shared settings of the cluster example: service URLs (env overrides), names, and the messages
 * the launcher and the participant processes exchange over the child_process IPC channel.
 *
 * The IPC channel stands in for deployment tooling (config management, a service registry): it
 * carries only public data (addresses and public identities) and lifecycle commands.
 */

/** PostgreSQL (the coordinator's metadata: nodes, keys, signing sessions, audit log). */
export const PG_URL = process.env.MPC_TSS_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Redis (session stores: snapshots, locks, session-id claims). */
export const REDIS_URL = process.env.MPC_TSS_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Postgres schema of the example's tables. */
export const PG_SCHEMA = process.env.MPC_TSS_CLUSTER_SCHEMA ?? 'mpc_tss_cluster';
/** Redis key prefix of the example. */
export const REDIS_PREFIX = 'mpc-tss-cluster';
/** Secure-channel context: binds every signature and key to this deployment. */
export const CHANNEL_CONTEXT = 'mpc-tss-example-cluster';
/** Party id of the coordinator. */
export const COORDINATOR_ID = 'coordinator';
/** Party ids of the participant nodes. */
export const NODE_IDS = ['node-1', 'node-2', 'node-3'] as const;
/** Heartbeat period of the participants, ms. */
export const HEARTBEAT_MS = 1000;

/** Participant → launcher. */
export type ChildMessage =
  | { type: 'hello'; id: string; address: string; publicIdentity: string }
  | { type: 'preparams'; id: string; ms: number }
  | { type: 'ready'; id: string }
  | { type: 'log'; id: string; line: string }
  | { type: 'error'; id: string; message: string };

/** Launcher → participant. */
export type ParentMessage =
  | {
      type: 'peers';
      /** Party id → gRPC address of every other node (coordinator included). */
      addresses: Record<string, string>;
      /** Public identities (exportPublicIdentity JSON) of every node. */
      directory: string[];
    }
  | { type: 'shutdown' };
