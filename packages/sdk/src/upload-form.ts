import type { NamedBlob } from './api-types.js';

/** A multipart body with each file under `field` (repeated for several). @internal */
export function uploadForm(field: string, files: readonly NamedBlob[]): FormData {
  const form = new FormData();
  for (const entry of files) {
    if (typeof Blob !== 'undefined' && entry instanceof Blob) {
      const name = (entry as Blob & { name?: unknown }).name;
      form.append(field, entry, typeof name === 'string' && name ? name : 'file');
    } else if (entry && typeof entry === 'object' && 'file' in entry) {
      form.append(field, entry.file, entry.fileName);
    } else {
      throw new TypeError('each file must be a Blob, a File or { file: Blob, fileName }');
    }
  }
  return form;
}
