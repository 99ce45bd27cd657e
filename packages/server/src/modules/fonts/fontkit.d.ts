/**
 * The little of fontkit 2 that Latchkey uses (the package ships no types, and @types/fontkit is
 * not a dependency): open a font from bytes, read its names.
 */
declare module 'fontkit' {
  export interface Font {
    /** TTF (TrueType and CFF-flavoured OpenType alike), WOFF or WOFF2. */
    readonly type: string;
    readonly familyName: string | null;
    readonly subfamilyName: string | null;
    readonly fullName: string | null;
    readonly postscriptName: string | null;
    /** A `name` table entry by fontkit's key (e.g. `preferredFamily`, name ID 16). */
    getName(key: string, lang?: string): string | null;
  }
  export interface FontCollection {
    readonly type: 'TTC' | 'DFont';
    readonly fonts: Font[];
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font | FontCollection;
}
