import { describe } from 'vitest';
import { e2eCases } from './e2e.js';

describe('ECDSA keygen end to end, native profile', () => {
  e2eCases('native');
});
