// Types for the parts of noise-protocol (emilbayes, JavaScript over libsodium) that independent-noise.test.ts uses.
declare module 'noise-protocol' {
  export interface KeyPair {
    publicKey: Uint8Array;
    secretKey: Uint8Array;
  }
  export interface Split {
    tx: Uint8Array;
    rx: Uint8Array;
  }
  export type HandshakeState = object;
  const noise: {
    PKLEN: number;
    keygen(): KeyPair;
    initialize(pattern: string, initiator: boolean, prologue: Uint8Array, s?: KeyPair | null, e?: KeyPair | null, rs?: Uint8Array | null): HandshakeState;
    writeMessage: ((state: HandshakeState, payload: Uint8Array, message: Uint8Array) => Split | undefined) & { bytes: number };
    readMessage: ((state: HandshakeState, message: Uint8Array, payload: Uint8Array) => Split | undefined) & { bytes: number };
    destroy(state: HandshakeState): void;
  };
  export default noise;
}

declare module 'noise-protocol/cipher' {
  export interface Cipher {
    MACLEN: number;
  }
  export default function createCipher(): Cipher;
}

declare module 'noise-protocol/cipher-state' {
  import type { Cipher } from 'noise-protocol/cipher';
  export interface CipherState {
    encryptWithAd: ((state: Uint8Array, out: Uint8Array, ad: Uint8Array, plaintext: Uint8Array) => void) & { bytesWritten: number };
    decryptWithAd: ((state: Uint8Array, out: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array) => void) & { bytesWritten: number };
  }
  export default function createCipherState(algorithms: { cipher: Cipher }): CipherState;
}
