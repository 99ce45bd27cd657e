import type { Migration } from '../migrate.ts';

/** Media, fonts and their stored bytes (filled by the media and fonts work). */
export const mediaAndFonts: Migration = {
  name: '0004-media-and-fonts',
  async up() {},
};
