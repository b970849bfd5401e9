/**
 * The subpaths load their optional peers lazily. A child process runs the chain code under Node
 * module hooks that make bitcoinjs-lib and @ethereumjs/{tx,common} look uninstalled (Node's own
 * ERR_MODULE_NOT_FOUND), so this checks the real failure path, not a mock.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe('missing optional peers', () => {
  it('addresses, signers and messages work; PSBT parsing and tx building say what to install', () => {
    const stdout = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        here('./fixtures/block-peers.mjs'),
        here('./fixtures/missing-peers.ts'),
      ],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.address).toMatch(/^bc1q/);
    expect(out.message).toBe(132);
    expect(out.bitcoin).toEqual({
      name: 'LocalError',
      code: 'MISSING_DEPENDENCY',
      shortMessage: '[bitcoin] install bitcoinjs-lib',
    });
    expect(out.ethereum).toEqual({
      name: 'LocalError',
      code: 'MISSING_DEPENDENCY',
      shortMessage: '[ethereum] install @ethereumjs/tx',
    });
  });
});
