package dev.mirror.core.internal.http2;

import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Decodes HPACK's Huffman-coded strings (RFC 7541 §5.2, the code of Appendix B), as shadows send
 * them in answer headers. The code is canonical, so the length of each symbol's code defines it:
 * codes of one length are consecutive numbers in symbol order, and each length's first code
 * follows the last of the length before. Decoding reads a bit at a time; answer headers are few
 * and short, so no faster table is worth its memory.
 */
public final class HpackHuffman {

  /** The length in bits of the code of each symbol 0..255 and of EOS (256), from Appendix B. */
  private static final byte[] LENGTHS = {
      13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
      28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
      6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
      5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
      13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
      7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
      15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
      6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
      20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
      24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
      22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
      21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
      26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
      19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
      20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
      26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
      30};

  private static final int EOS = 256;
  private static final int MAX_LENGTH = 30;
  /** Symbols ordered by code: by length, then by value. */
  private static final int[] SYMBOLS = new int[LENGTHS.length];
  /** Per length: its first code, where its symbols start in SYMBOLS, and how many there are. */
  private static final int[] FIRST_CODE = new int[MAX_LENGTH + 1];
  private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 1];
  private static final int[] COUNT = new int[MAX_LENGTH + 1];

  static {
    for (byte length : LENGTHS) {
      COUNT[length]++;
    }
    int code = 0;
    int index = 0;
    for (int length = 1; length <= MAX_LENGTH; length++) {
      FIRST_CODE[length] = code;
      FIRST_INDEX[length] = index;
      for (int symbol = 0; symbol < LENGTHS.length; symbol++) {
        if (LENGTHS[symbol] == length) {
          SYMBOLS[index++] = symbol;
        }
      }
      code = (code + COUNT[length]) << 1;
    }
  }

  private HpackHuffman() {}

  /**
   * Decodes {@code length} bytes from {@code in} into {@code out}, one char per octet.
   *
   * @throws ProtocolException for EOS inside the string, or padding that is not a prefix of EOS
   *     (at most 7 one-bits), as RFC 7541 §5.2 requires
   */
  static void decode(ByteBuffer in, int length, StringBuilder out) throws ProtocolException {
    int code = 0;
    int bits = 0;
    for (int i = 0; i < length; i++) {
      int octet = in.get() & 0xff;
      for (int bit = 7; bit >= 0; bit--) {
        code = (code << 1) | ((octet >>> bit) & 1);
        bits++;
        int offset = code - FIRST_CODE[bits];
        if (offset >= 0 && offset < COUNT[bits]) {
          int symbol = SYMBOLS[FIRST_INDEX[bits] + offset];
          if (symbol == EOS) {
            throw new ProtocolException("HPACK: EOS inside a Huffman-coded string");
          }
          out.append((char) symbol);
          code = 0;
          bits = 0;
        } else if (bits == MAX_LENGTH) {
          throw new ProtocolException("HPACK: a Huffman code longer than any in the table");
        }
      }
    }
    if (bits > 7 || code != (1 << bits) - 1) {
      throw new ProtocolException("HPACK: Huffman padding that is not a prefix of EOS");
    }
  }
}
