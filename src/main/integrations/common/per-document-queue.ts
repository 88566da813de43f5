// One store call at a time per documentId, for every document store. The platform may retry a
// call while the first is still running (failover): the retry waits for the first to finish and
// then runs, finding the first's result, so it answers `duplicate: true` instead of filing twice.
// Registered synchronously, so two calls in the same tick cannot both miss and both write.
export class PerDocumentQueue {
  private readonly running = new Map<string, Promise<unknown>>();

  run<T>(documentId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.running.get(documentId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.running.set(documentId, next);
    const forget = () => {
      if (this.running.get(documentId) === next) this.running.delete(documentId);
    };
    next.then(forget, forget);
    return next;
  }
}
