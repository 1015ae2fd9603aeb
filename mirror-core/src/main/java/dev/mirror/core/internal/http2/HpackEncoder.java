package dev.mirror.core.internal.http2;

import java.nio.ByteBuffer;

/**
 * Encodes a copy's header block (RFC 7541) as literals that are never added to the dynamic
 * table, with names from the static table where it has them and strings as raw octets. Such a
 * block costs a few more bytes than one with indexing and Huffman coding, but no state is shared
 * between streams (a stream failed or reset cannot put the shadow's decoder out of step) and no
 * CPU goes into compressing what one copy sends once. Credentials go as never-indexed literals,
 * so no intermediary stores them either.
 */
public final class HpackEncoder {

  private ByteBuffer block = ByteBuffer.allocate(1024);

  /** Starts a new block; the previous one is gone. */
  HpackEncoder begin() {
    block.clear();
    return this;
  }

  /** Adds a field; the name must be lower case, each char of name and value one octet. */
  HpackEncoder field(String name, String value) {
    int index = HpackStaticTable.indexOf(name);
    boolean secret = name.equals("authorization") || name.equals("cookie")
        || name.equals("proxy-authorization");
    ensure(12 + name.length() + value.length());
    integer(secret ? 0x10 : 0x00, 4, index);
    if (index == 0) {
      string(name);
    }
    string(value);
    return this;
  }

  /** The block, ready for reading; valid until the next {@link #begin()}. */
  ByteBuffer block() {
    return block.flip();
  }

  private void string(String s) {
    integer(0x00, 7, s.length()); // H = 0: raw octets
    for (int i = 0; i < s.length(); i++) {
      block.put((byte) s.charAt(i));
    }
  }

  /** Writes an integer with an N-bit prefix after the pattern's high bits (RFC 7541 §5.1). */
  private void integer(int pattern, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      block.put((byte) (pattern | value));
      return;
    }
    block.put((byte) (pattern | max));
    value -= max;
    while (value >= 0x80) {
      block.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    block.put((byte) value);
  }

  private void ensure(int more) {
    if (block.remaining() < more) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(block.capacity() * 2,
          block.position() + more));
      block.flip();
      bigger.put(block);
      block = bigger;
    }
  }
}
