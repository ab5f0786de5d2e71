import sodium from 'libsodium-wrappers';

// libsodium instantiates its WebAssembly module asynchronously (allowed by CSP 'wasm-unsafe-eval'; no eval).
export const ready = (): Promise<void> => sodium.ready;

export { sodium };
