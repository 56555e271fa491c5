// dcmqi inside itk-wasm prints its diagnostics ("Row direction: ...") to stdout, which would
// corrupt `--json` output and clutter the CLI. Emscripten binds its print to console.log at
// load time, so the only place to intercept it is process.stdout.write, for the call's duration.
export async function withQuietStdout<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    return await work()
  } finally {
    process.stdout.write = write
  }
}
