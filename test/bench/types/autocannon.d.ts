// autocannon ships no type declarations; the benchmarks use only its documented result fields.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>, callback?: (error: Error | null, result: any) => void) => any;
  export default autocannon;
}
