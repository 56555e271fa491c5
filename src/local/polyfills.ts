// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions uses for every Task;
// without it each Task fails and a Catch hides the reason. Node 22 (Lambda) has it.
const promiseStatics = Promise as unknown as { withResolvers?: unknown }
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
export {}
