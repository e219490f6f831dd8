// parse-srcset ships no types; srcset-candidates.ts uses its one function.
declare module 'parse-srcset' {
  interface SrcsetCandidate {
    url: string;
    w?: number;
    h?: number;
    d?: number;
  }
  function parseSrcset(input: string): SrcsetCandidate[];
  export default parseSrcset;
}
