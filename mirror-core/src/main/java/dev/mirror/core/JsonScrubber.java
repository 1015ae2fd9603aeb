package dev.mirror.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
final class JsonScrubber {

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

  /**
   * Returns the scrubbed document, or {@code body} itself when nothing was redacted; adds the
   * fields and matches redacted to {@code count[0]}.
   *
   * @throws IOException if the body is not one well-formed JSON document
   */
  byte[] scrub(byte[] body, int[] count) throws IOException {
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

  private static byte[] splice(byte[] body, List<Edit> edits) {
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
