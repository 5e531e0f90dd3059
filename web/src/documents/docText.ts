// How a document's type and size read in the list.
import { userLocale } from '../format';

const TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'text/plain': 'Text',
  'text/csv': 'CSV',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/vnd.oasis.opendocument.text': 'ODT',
  'application/vnd.oasis.opendocument.spreadsheet': 'ODS',
  'application/vnd.oasis.opendocument.presentation': 'ODP',
};

/** A short name of the sniffed type ("PDF", "PNG"); the MIME type itself when we have none. */
export function typeLabel(mime: string): string {
  return TYPES[mime.split(';')[0].trim()] ?? mime;
}

/** Images preview in an <img>, PDFs in a tab of their own: the only types the server serves inline. */
export function previewKind(mime: string): 'image' | 'pdf' | null {
  if (/^image\/(png|jpeg|gif|webp)$/.test(mime)) return 'image';
  if (mime === 'application/pdf') return 'pdf';
  return null;
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

/** 1536 → "1.5 kB" in the user's locale. */
export function formatSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  try {
    return new Intl.NumberFormat(userLocale, { style: 'unit', unit: UNITS[i], unitDisplay: i ? 'short' : 'narrow', maximumFractionDigits: i ? 1 : 0 }).format(v);
  } catch {
    return `${bytes} B`;
  }
}
