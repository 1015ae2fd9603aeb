package dev.mirror.core.internal.scrub;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Redacts JSON fields named by JSON-pointer globs, and patterns in string values. Jackson's
 * streaming parser finds what to redact, with its byte offsets; the copy is the original bytes
 * with those values (or members) replaced. So everything else stays byte for byte (order,
 * whitespace, escapes, numbers as written), a body with nothing to redact is returned as it came,
 * and no generator runs: about the cost of one parse.
 */
public final class JsonScrubber {

  /** Buffers recycled per thread: the sending thread scrubs copy after copy. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .recyclerPool(JsonRecyclerPools.threadLocalPool()).build();
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOTHING = new byte[0];

  /** A glob: its segments ({@code *} one, {@code **} any number), read once. */
  private record Glob(String[] segments, boolean deep, String last) {
    boolean lastIsWild() {
      return last.equals("*") || last.equals("**");
    }
  }

  private final List<Glob> globs;
  /** The literal last segments of the globs: most fields are turned away by one lookup. */
  private final Set<String> lastNames;
  private final boolean anyWildLast;
  private final boolean remove;
  private final byte[] quotedMask;
  private final PatternScrubber patterns;

  JsonScrubber(List<String> fields, boolean remove, String mask, PatternScrubber patterns) {
    List<Glob> parsed = new ArrayList<>();
    for (String field : fields) {
      String[] segments = field.substring(1).split("/", -1);
      for (int i = 0; i < segments.length; i++) {
        segments[i] = segments[i].replace("~1", "/").replace("~0", "~");
      }
      parsed.add(new Glob(segments, Arrays.asList(segments).contains("**"),
          segments[segments.length - 1]));
    }
    this.globs = List.copyOf(parsed);
    Set<String> names = new HashSet<>();
    boolean wild = false;
    for (Glob glob : parsed) {
      if (glob.lastIsWild()) {
        wild = true;
      } else {
        names.add(glob.last());
      }
    }
    this.lastNames = Set.copyOf(names);
    this.anyWildLast = wild;
    this.remove = remove;
    this.quotedMask = quote(mask);
    this.patterns = patterns;
  }

  private static byte[] quote(String text) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    byte[] quoted = new byte[escaped.length + 2];
    quoted[0] = '"';
    System.arraycopy(escaped, 0, quoted, 1, escaped.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }

  /** One replacement of the original bytes [start, end). */
  private record Edit(int start, int end, byte[] bytes) {}

  /** How a JSON document is encoded (RFC 8259 8.1, RFC 4627 3): its charset and byte order mark. */
  private record Encoding(Charset charset, int bomLength) {
    boolean isUtf8() {
      return charset.equals(StandardCharsets.UTF_8);
    }
  }

  private static final Charset UTF_32BE = Charset.forName("UTF-32BE");
  private static final Charset UTF_32LE = Charset.forName("UTF-32LE");

  /**
   * Tells the encoding by the byte order mark, or without one by where the first bytes are zero
   * (a JSON text starts with an ASCII character), as Jackson does: UTF-8, UTF-16 or UTF-32, big-
   * or little-endian.
   */
  private static Encoding encoding(byte[] b) {
    int n = b.length;
    if (n >= 4 && b[0] == 0 && b[1] == 0 && (b[2] & 0xff) == 0xfe && (b[3] & 0xff) == 0xff) {
      return new Encoding(UTF_32BE, 4);
    }
    if (n >= 4 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe && b[2] == 0 && b[3] == 0) {
      return new Encoding(UTF_32LE, 4);
    }
    if (n >= 2 && (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) {
      return new Encoding(StandardCharsets.UTF_16BE, 2);
    }
    if (n >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe) {
      return new Encoding(StandardCharsets.UTF_16LE, 2);
    }
    if (n >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
      return new Encoding(StandardCharsets.UTF_8, 3);
    }
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0) {
      return new Encoding(UTF_32BE, 0);
    }
    if (n >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) {
      return new Encoding(UTF_32LE, 0);
    }
    if (n >= 2 && b[0] == 0 && b[1] != 0) {
      return new Encoding(StandardCharsets.UTF_16BE, 0);
    }
    if (n >= 2 && b[0] != 0 && b[1] == 0) {
      return new Encoding(StandardCharsets.UTF_16LE, 0);
    }
    return new Encoding(StandardCharsets.UTF_8, 0);
  }

  /**
   * Returns the scrubbed document, or {@code body} itself when nothing was redacted; adds the
   * fields and matches redacted to {@code count[0]}. A document in UTF-16 or UTF-32 (or UTF-8
   * with a byte order mark) is scrubbed as UTF-8 and goes out in its own encoding, byte order
   * mark included; one that does not decode in the encoding its first bytes tell is refused.
   *
   * @throws IOException if the body is not one well-formed JSON document
   */
  byte[] scrub(byte[] body, int[] count) throws IOException {
    Encoding encoding = encoding(body);
    if (encoding.isUtf8() && encoding.bomLength() == 0) {
      return scrubUtf8(body, count);
    }
    // Jackson's byte offsets exist for UTF-8 only: scrub a UTF-8 transcoding, and transcode
    // the result back, so no edit is ever placed by an offset that does not exist.
    String text = decoder(encoding.charset()).decode(ByteBuffer.wrap(body,
        encoding.bomLength(), body.length - encoding.bomLength())).toString();
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    byte[] scrubbed = scrubUtf8(utf8, count);
    if (scrubbed == utf8) {
      return body;
    }
    String out = decoder(StandardCharsets.UTF_8).decode(ByteBuffer.wrap(scrubbed)).toString();
    byte[] encoded = out.getBytes(encoding.charset());
    byte[] withBom = Arrays.copyOf(body, encoding.bomLength() + encoded.length);
    System.arraycopy(encoded, 0, withBom, encoding.bomLength(), encoded.length);
    return withBom;
  }

  private static CharsetDecoder decoder(Charset charset) {
    return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  private byte[] scrubUtf8(byte[] body, int[] count) throws IOException {
    List<Edit> edits = new ArrayList<>();
    Frames frames = new Frames();
    List<String> path = new ArrayList<>();
    CharsView chars = new CharsView();
    try (JsonParser parser = FACTORY.createParser(body)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        switch (token) {
          case FIELD_NAME -> {
            String name = parser.currentName();
            frames.field(name);
            if (matches(frames, name, path)) {
              count[0]++;
              int nameStart = (int) parser.currentTokenLocation().getByteOffset();
              JsonToken value = parser.nextToken();
              int valueStart = (int) parser.currentTokenLocation().getByteOffset();
              parser.skipChildren();
              parser.finishToken();
              int valueEnd = (int) parser.currentLocation().getByteOffset();
              edits.add(remove ? removal(body, nameStart, valueEnd)
                  : new Edit(valueStart, valueEnd,
                      value == JsonToken.VALUE_STRING ? quotedMask : NULL));
            }
          }
          case START_OBJECT, START_ARRAY -> {
            frames.nextElement();
            frames.push(token == JsonToken.START_ARRAY);
          }
          case END_OBJECT, END_ARRAY -> frames.pop();
          case VALUE_STRING -> {
            frames.nextElement();
            if (patterns != null) {
              chars.set(parser.getTextCharacters(), parser.getTextOffset(),
                  parser.getTextLength());
              if (patterns.mayHold(chars)) {
                String text = parser.getText();
                String scrubbed = patterns.scrub(text, count);
                if (scrubbed != text) {
                  edits.add(new Edit((int) parser.currentTokenLocation().getByteOffset(),
                      (int) parser.currentLocation().getByteOffset(), quote(scrubbed)));
                }
              }
            }
          }
          case VALUE_NUMBER_INT -> {
            // A card number sent as a JSON number is a number all the same: the detectors look
            // at its digits, and a match becomes the (quoted) mask.
            frames.nextElement();
            if (patterns != null && parser.getTextLength() >= 8) {
              String text = parser.getText();
              String scrubbed = patterns.scrub(text, count);
              if (scrubbed != text) {
                edits.add(new Edit((int) parser.currentTokenLocation().getByteOffset(),
                    (int) parser.currentLocation().getByteOffset(), quote(scrubbed)));
              }
            }
          }
          default -> frames.nextElement();
        }
      }
      if (frames.depth != 0) {
        throw new IOException("the JSON document ends inside a value");
      }
    }
    return edits.isEmpty() ? body : splice(body, edits);
  }

  /** A member removed whole: its name, value, and the comma that joined it to a neighbour. */
  private static Edit removal(byte[] body, int start, int end) {
    int after = end;
    while (after < body.length && isBlank(body[after])) {
      after++;
    }
    if (after < body.length && body[after] == ',') {
      return new Edit(start, after + 1, NOTHING);
    }
    int before = start - 1;
    while (before >= 0 && isBlank(body[before])) {
      before--;
    }
    return new Edit(before >= 0 && body[before] == ',' ? before : start, end, NOTHING);
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static byte[] splice(byte[] body, List<Edit> edits) throws IOException {
    for (Edit edit : edits) {
      // Fail closed: an edit the parser placed outside the document would keep what it was
      // meant to hide.
      if (edit.start() < 0 || edit.end() < edit.start() || edit.end() > body.length) {
        throw new IOException("the parser gave no byte offsets for this document");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int at = 0;
    for (Edit edit : edits) {
      int start = Math.max(edit.start(), at); // two removals may claim the comma between them
      out.write(body, at, start - at);
      out.write(edit.bytes(), 0, edit.bytes().length);
      at = Math.max(at, edit.end());
    }
    out.write(body, at, body.length - at);
    return out.toByteArray();
  }

  /**
   * Where the parser is, one level per open object or array: an object's current field, an
   * array's current index. Arrays grown as needed, so a document allocates nothing per level.
   */
  private static final class Frames {
    int depth;
    private boolean[] array = new boolean[16];
    private int[] index = new int[16];
    private String[] field = new String[16];

    void push(boolean isArray) {
      if (depth == array.length) {
        array = Arrays.copyOf(array, depth * 2);
        index = Arrays.copyOf(index, depth * 2);
        field = Arrays.copyOf(field, depth * 2);
      }
      array[depth] = isArray;
      index[depth] = -1;
      field[depth] = null;
      depth++;
    }

    void pop() {
      depth--;
    }

    void field(String name) {
      field[depth - 1] = name;
    }

    /** A value starts: inside an array, it is the next element. */
    void nextElement() {
      if (depth > 0 && array[depth - 1]) {
        index[depth - 1]++;
      }
    }

    List<String> path(List<String> path) {
      path.clear();
      for (int i = 0; i < depth; i++) {
        path.add(array[i] ? Integer.toString(index[i]) : field[i]);
      }
      return path;
    }
  }

  /** Whether the field just read is named by a glob; the path is built only if one may. */
  private boolean matches(Frames frames, String name, List<String> path) {
    if (!anyWildLast && !lastNames.contains(name)) {
      return false;
    }
    boolean built = false;
    for (Glob glob : globs) {
      if ((!glob.lastIsWild() && !glob.last().equals(name))
          || (!glob.deep() && glob.segments().length != frames.depth)) {
        continue;
      }
      if (!built) {
        frames.path(path);
        built = true;
      }
      if (PointerGlob.matches(glob.segments(), 0, path, 0)) {
        return true;
      }
    }
    return false;
  }

  /** A reusable view of the parser's characters, so that most strings are never copied. */
  private static final class CharsView implements CharSequence {
    private char[] chars;
    private int offset;
    private int length;

    void set(char[] chars, int offset, int length) {
      this.chars = chars;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return chars[offset + index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(chars, offset + start, end - start);
    }

    @Override
    public String toString() {
      return new String(chars, offset, length);
    }
  }
}
