export interface Subscribable<T> {
  /** Calls back with each value; returns the unsubscribe function. */
  subscribe(listener: (value: T) => void): () => void;
}

export class Emitter<T> implements Subscribable<T> {
  private readonly listeners = new Set<(value: T) => void>();

  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One faulty listener must not stop the others or the protocol loop that emits.
        console.error(error);
      }
    }
  }
}
