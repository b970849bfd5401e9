/**
 * The `mpc_tss.v1.MpcTransport` service, described for `@grpc/grpc-js` by hand: the messages
 * come from the protoc-gen-es code in `src/gen`, so no gRPC code generator is needed.
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type * as grpc from '@grpc/grpc-js';
import { LocalError } from '../../errors.js';
import {
  type DeliverRequest,
  DeliverRequestSchema,
  type DeliverResponse,
  DeliverResponseSchema,
  MpcTransport,
} from '../../gen/mpc_tss/v1/transport_pb.js';

/** @internal */
export type { DeliverRequest, DeliverResponse } from '../../gen/mpc_tss/v1/transport_pb.js';

/** The `@grpc/grpc-js` module, as `import * as grpc from '@grpc/grpc-js'` gives it. */
export type GrpcModule = typeof grpc;

/** Full method path of the `Deliver` rpc: `/mpc_tss.v1.MpcTransport/Deliver`. */
export const DELIVER_PATH = `/${MpcTransport.typeName}/${MpcTransport.method.deliver.name}`;
/** Version carried in `Hello` and `Welcome`. */
export const STREAM_VERSION = 1;

const READ = { readUnknownFields: false } as const;

/**
 * The `MpcTransport` service definition for `@grpc/grpc-js` (`server.addService`,
 * `makeGenericClientConstructor`). One bidirectional streaming method, `Deliver`.
 *
 * @example
 * ```ts
 * import * as grpc from '@grpc/grpc-js';
 * const Client = grpc.makeGenericClientConstructor(MpcTransportService, 'MpcTransport');
 * ```
 */
export const MpcTransportService: grpc.ServiceDefinition = {
  Deliver: {
    path: DELIVER_PATH,
    requestStream: true,
    responseStream: true,
    originalName: 'deliver',
    requestSerialize: (m: DeliverRequest): Buffer => Buffer.from(toBinary(DeliverRequestSchema, m)),
    requestDeserialize: (b: Buffer): DeliverRequest => fromBinary(DeliverRequestSchema, b, READ),
    responseSerialize: (m: DeliverResponse): Buffer =>
      Buffer.from(toBinary(DeliverResponseSchema, m)),
    responseDeserialize: (b: Buffer): DeliverResponse => fromBinary(DeliverResponseSchema, b, READ),
  },
};

/** `Hello` from the dialer. */
export function helloRequest(partyId: string): DeliverRequest {
  return create(DeliverRequestSchema, {
    kind: { case: 'hello', value: { version: STREAM_VERSION, partyId } },
  });
}

/** One envelope from the dialer. */
export function packetRequest(seq: bigint, envelope: Uint8Array): DeliverRequest {
  return create(DeliverRequestSchema, { kind: { case: 'packet', value: { seq, envelope } } });
}

/** `Welcome` from the server. */
export function welcomeResponse(partyId: string): DeliverResponse {
  return create(DeliverResponseSchema, {
    kind: { case: 'welcome', value: { version: STREAM_VERSION, partyId } },
  });
}

/** Acknowledgement of every packet up to `seq`. */
export function ackResponse(seq: bigint): DeliverResponse {
  return create(DeliverResponseSchema, { kind: { case: 'ack', value: { seq } } });
}

const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Loads `@grpc/grpc-js` lazily (it is an optional peer dependency). `importer` is a thunk
 * around the literal `import()`, replaceable in tests.
 * @internal
 */
export async function loadGrpc(
  importer: () => Promise<unknown> = () => import('@grpc/grpc-js'),
): Promise<GrpcModule> {
  let mod: unknown;
  try {
    mod = await importer();
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NOT_FOUND.has(code)) {
      throw new LocalError(
        'MISSING_DEPENDENCY',
        '[grpc] install @grpc/grpc-js or pass it (options.grpc)',
        { cause: e },
      );
    }
    throw new LocalError('TRANSPORT_ERROR', '[grpc] could not load @grpc/grpc-js', { cause: e });
  }
  // ESM sees a CommonJS module as a namespace whose `default` is `module.exports`.
  const ns = mod as { default?: GrpcModule } & Partial<GrpcModule>;
  const g = typeof ns.Server === 'function' ? (ns as GrpcModule) : ns.default;
  if (!g || typeof g.Server !== 'function') {
    throw new LocalError('MISSING_DEPENDENCY', '[grpc] @grpc/grpc-js did not load as expected');
  }
  return g;
}
