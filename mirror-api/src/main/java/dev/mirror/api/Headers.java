package dev.mirror.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of HTTP header fields.
 *
 * <p>Names keep the spelling they arrived with and every field keeps its position, so repeated
 * headers keep the order of their values. Lookups by name ignore case, as HTTP requires.
 */
public final class Headers {

  private static final Headers EMPTY = new Headers(new String[0]);

  /** Alternating names and values: {@code [name0, value0, name1, value1, ...]}. */
  private final String[] namesAndValues;

  private Headers(String[] namesAndValues) {
    this.namesAndValues = namesAndValues;
  }

  /** Returns the empty header list. */
  public static Headers empty() {
    return EMPTY;
  }

  /**
   * Returns headers from alternating names and values, for example {@code of("Accept", "a/b",
   * "X-A", "1")}.
   *
   * @throws IllegalArgumentException if the count is odd or a name is empty
   * @throws NullPointerException if any element is null
   */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("namesAndValues: was " + namesAndValues.length
          + " elements, must be an even number (name, value pairs)");
    }
    Builder builder = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      builder.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return builder.build();
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding these headers, to derive a changed copy. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    if (namesAndValues.length > builder.namesAndValues.length) {
      builder.namesAndValues = new String[namesAndValues.length * 2];
    }
    System.arraycopy(namesAndValues, 0, builder.namesAndValues, 0, namesAndValues.length);
    builder.size = namesAndValues.length;
    return builder;
  }

  /** Returns the number of fields (a repeated header counts once per value). */
  public int size() {
    return namesAndValues.length / 2;
  }

  /** Returns true if there are no fields. */
  public boolean isEmpty() {
    return namesAndValues.length == 0;
  }

  /** Returns the name of field {@code index}, as it arrived. */
  public String name(int index) {
    return namesAndValues[index * 2];
  }

  /** Returns the value of field {@code index}. */
  public String value(int index) {
    return namesAndValues[index * 2 + 1];
  }

  /** Returns the first value of the named header (any case), or null if absent. */
  public String first(String name) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (name.equalsIgnoreCase(namesAndValues[i])) {
        return namesAndValues[i + 1];
      }
    }
    return null;
  }

  /** Returns true if the named header (any case) is present. */
  public boolean contains(String name) {
    return first(name) != null;
  }

  /** Returns every value of the named header (any case), in arrival order. */
  public List<String> values(String name) {
    List<String> values = null;
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (name.equalsIgnoreCase(namesAndValues[i])) {
        if (values == null) {
          values = new ArrayList<>(2);
        }
        values.add(namesAndValues[i + 1]);
      }
    }
    return values == null ? List.of() : Collections.unmodifiableList(values);
  }

  /** Returns the distinct names, in order of first appearance, with the spelling first seen. */
  public Set<String> names() {
    Set<String> lowerSeen = new LinkedHashSet<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (lowerSeen.add(namesAndValues[i].toLowerCase(java.util.Locale.ROOT))) {
        names.add(namesAndValues[i]);
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** Calls {@code action} with each field's name and value, in order. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      action.accept(namesAndValues[i], namesAndValues[i + 1]);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Headers
        && Arrays.equals(namesAndValues, ((Headers) other).namesAndValues);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(namesAndValues);
  }

  /** Lists the header names only: values may hold credentials and are never printed. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("Headers[");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.append(i == 0 ? "" : ", ").append(namesAndValues[i]);
    }
    return out.append(']').toString();
  }

  /** Builds {@link Headers}; not thread-safe. */
  public static final class Builder {
    // A plain array rather than a list: entry points build one per copy on the request thread,
    // and sixteen slots hold the eight fields of a usual request without growing.
    private String[] namesAndValues = new String[16];
    private int size;

    private Builder() {}

    /**
     * Appends a field, keeping any existing ones of the same name.
     *
     * @throws IllegalArgumentException if the name is empty
     */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name: was empty, must be a token");
      }
      if (size == namesAndValues.length) {
        namesAndValues = Arrays.copyOf(namesAndValues, size * 2);
      }
      namesAndValues[size++] = name;
      namesAndValues[size++] = value;
      return this;
    }

    /** Removes every field with this name (any case), then appends one with this value. */
    public Builder set(String name, String value) {
      removeAll(name);
      return add(name, value);
    }

    /** Removes every field with this name (any case). */
    public Builder removeAll(String name) {
      Objects.requireNonNull(name, "name");
      int kept = 0;
      for (int i = 0; i < size; i += 2) {
        if (!name.equalsIgnoreCase(namesAndValues[i])) {
          namesAndValues[kept++] = namesAndValues[i];
          namesAndValues[kept++] = namesAndValues[i + 1];
        }
      }
      Arrays.fill(namesAndValues, kept, size, null);
      size = kept;
      return this;
    }

    /** Replaces the value of every field with this name (any case), keeping positions. */
    public Builder replaceValues(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      for (int i = 0; i < size; i += 2) {
        if (name.equalsIgnoreCase(namesAndValues[i])) {
          namesAndValues[i + 1] = value;
        }
      }
      return this;
    }

    /** Returns the first value of the named header (any case), or null. */
    public String first(String name) {
      for (int i = 0; i < size; i += 2) {
        if (name.equalsIgnoreCase(namesAndValues[i])) {
          return namesAndValues[i + 1];
        }
      }
      return null;
    }

    /** Returns the headers built so far; the builder stays usable. */
    public Headers build() {
      return size == 0 ? EMPTY : new Headers(Arrays.copyOf(namesAndValues, size));
    }
  }
}
