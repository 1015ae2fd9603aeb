package dev.mirror.core.internal.http2;

import java.net.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the header blocks of one HTTP/2 connection (RFC 7541): indexed fields, literals with
 * and without indexing, Huffman-coded strings, and the dynamic table the shadow's encoder fills,
 * within the size this side announced (the default, 4096 octets). A block must be decoded even
 * when nobody wants its fields (a stream already ended), or the table goes out of step.
 */
public final class HpackDecoder {

  /** Receives each field of a block, in order. */
  interface Sink {
    void field(String name, String value);
  }

  /** The table size this side allows, as SETTINGS_HEADER_TABLE_SIZE's default: {@value}. */
  static final int MAX_TABLE_SIZE = 4096;

  /** Dynamic table entries, oldest first; index 62 is the newest. */
  private final List<String[]> table = new ArrayList<>();
  private int tableSize;
  private int tableLimit = MAX_TABLE_SIZE;
  private final StringBuilder text = new StringBuilder();

  /**
   * Decodes a whole header block.
   *
   * @throws ProtocolException if the block is not valid HPACK (a compression error: the
   *     connection cannot go on)
   */
  void decode(ByteBuffer block, Sink sink) throws ProtocolException {
    boolean fieldSeen = false;
    try {
      while (block.hasRemaining()) {
        int first = block.get(block.position()) & 0xff;
        if ((first & 0x80) != 0) { // indexed field
          int index = integer(block, 7);
          sink.field(name(index), value(index));
          fieldSeen = true;
        } else if ((first & 0x40) != 0) { // literal with incremental indexing
          int index = integer(block, 6);
          String name = index == 0 ? string(block) : name(index);
          String value = string(block);
          add(name, value);
          sink.field(name, value);
          fieldSeen = true;
        } else if ((first & 0x20) != 0) { // dynamic table size update
          if (fieldSeen) {
            throw new ProtocolException("HPACK: a table size update after a field");
          }
          int size = integer(block, 5);
          if (size > MAX_TABLE_SIZE) {
            throw new ProtocolException("HPACK: a table size of " + size
                + " octets, more than the " + MAX_TABLE_SIZE + " allowed");
          }
          tableLimit = size;
          evictTo(size);
        } else { // literal without indexing (0000) or never indexed (0001)
          int index = integer(block, 4);
          String name = index == 0 ? string(block) : name(index);
          sink.field(name, string(block));
          fieldSeen = true;
        }
      }
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("HPACK: a header block that ends inside a field");
    }
  }

  /** Reads an integer with an N-bit prefix (RFC 7541 §5.1). */
  private static int integer(ByteBuffer block, int prefixBits) throws ProtocolException {
    int max = (1 << prefixBits) - 1;
    int value = block.get() & max;
    if (value < max) {
      return value;
    }
    long total = value;
    int shift = 0;
    int octet;
    do {
      octet = block.get() & 0xff;
      total += (long) (octet & 0x7f) << shift;
      shift += 7;
      if (total > Integer.MAX_VALUE || shift > 35) {
        throw new ProtocolException("HPACK: an integer too large");
      }
    } while ((octet & 0x80) != 0);
    return (int) total;
  }

  /** Reads a string literal, Huffman-coded or raw (octets taken one char each). */
  private String string(ByteBuffer block) throws ProtocolException {
    boolean huffman = (block.get(block.position()) & 0x80) != 0;
    int length = integer(block, 7);
    if (length > block.remaining()) {
      throw new ProtocolException("HPACK: a string of " + length + " octets where "
          + block.remaining() + " are left");
    }
    text.setLength(0);
    if (huffman) {
      HpackHuffman.decode(block, length, text);
    } else {
      for (int i = 0; i < length; i++) {
        text.append((char) (block.get() & 0xff));
      }
    }
    return text.toString();
  }

  private String name(int index) throws ProtocolException {
    return index >= 1 && index <= HpackStaticTable.SIZE ? HpackStaticTable.name(index)
        : dynamic(index)[0];
  }

  private String value(int index) throws ProtocolException {
    return index >= 1 && index <= HpackStaticTable.SIZE ? HpackStaticTable.value(index)
        : dynamic(index)[1];
  }

  private String[] dynamic(int index) throws ProtocolException {
    int dynamic = index - HpackStaticTable.SIZE - 1;
    if (index < 1 || dynamic >= table.size()) {
      throw new ProtocolException("HPACK: index " + index + " is in neither table ("
          + table.size() + " dynamic entries)");
    }
    return table.get(table.size() - 1 - dynamic);
  }

  private void add(String name, String value) {
    int size = size(name, value);
    if (size > tableLimit) {
      table.clear(); // an entry larger than the table empties it (RFC 7541 §4.4)
      tableSize = 0;
      return;
    }
    evictTo(tableLimit - size);
    table.add(new String[] {name, value});
    tableSize += size;
  }

  private void evictTo(int limit) {
    while (tableSize > limit) {
      String[] oldest = table.remove(0);
      tableSize -= size(oldest[0], oldest[1]);
    }
  }

  private static int size(String name, String value) {
    return name.length() + value.length() + 32;
  }

  /** Entries in the dynamic table now (for tests). */
  int dynamicEntries() {
    return table.size();
  }
}
