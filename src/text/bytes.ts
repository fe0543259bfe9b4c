/**
 * GPT-2's byte-to-character alphabet: every byte maps to one printable character, so a token's
 * bytes print as a string (`Ġ` for a space, `Ċ` for a newline) and map back to the same bytes.
 */
import { ValidationError } from '../errors.js';

/** The character GPT-2 prints for each byte value (index = byte). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Byte value of each GPT-2 alphabet character, indexed by its code point (-1 = not in it). */
const CHAR_TO_BYTE: Int16Array = buildCharToByte(BYTE_TO_CHAR);

function buildByteToChar(): string[] {
  // Printable Latin-1 bytes keep their own character; the other 68 bytes are moved to
  // U+0100.. in byte order, exactly as GPT-2's bytes_to_unicode does.
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    chars[b] = printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + shifted++);
  }
  return chars;
}

function buildCharToByte(byteToChar: readonly string[]): Int16Array {
  const table = new Int16Array(512).fill(-1);
  byteToChar.forEach((char, byte) => {
    table[char.charCodeAt(0)] = byte;
  });
  return table;
}

/** The GPT-2 token string for these bytes (`[0x20, 0x77]` → `Ġw`). */
export function bytesToTokenString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]];
  return out;
}

/** Appends the bytes a GPT-2 token string stands for to `out` from `at`; returns the new end. */
export function writeTokenBytes(token: string, out: Uint8Array, at: number): number {
  let end = at;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    const byte = code < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[code] : -1;
    if (byte < 0) {
      throw new ValidationError(
        `token ${JSON.stringify(token)} has character ${JSON.stringify(token[i])} outside the GPT-2 byte alphabet`,
        { token, index: i },
      );
    }
    out[end++] = byte;
  }
  return end;
}

/** The bytes a GPT-2 token string stands for (`Ġw` → `[0x20, 0x77]`). */
export function tokenStringToBytes(token: string): Uint8Array {
  const out = new Uint8Array(token.length);
  writeTokenBytes(token, out, 0);
  return out;
}
