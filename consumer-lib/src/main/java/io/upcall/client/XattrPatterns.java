package io.upcall.client;

import io.upcall.schemas.XattrGlob;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The xattr name patterns a client registers (shell globs with fnmatch(3) rules: {@code *}, {@code ?},
 * {@code [...]} with ranges and {@code !}/{@code ^} negation, {@code \} escaping), the same rules the streams
 * app matches them with. The cache keeps only xattrs these match, as no other would ever be invalidated.
 */
final class XattrPatterns {
  static final XattrPatterns NONE = new XattrPatterns(List.of());

  private final List<String> globs;

  private XattrPatterns(List<String> globs) {
    this.globs = globs;
  }

  static XattrPatterns of(Collection<String> globs) {
    Objects.requireNonNull(globs, "xattr patterns");
    for (String glob : globs) {
      if (glob == null || glob.isBlank()) {
        throw new IllegalArgumentException("xattr pattern must not be blank: " + globs);
      }
    }
    return new XattrPatterns(List.copyOf(globs));
  }

  List<String> globs() {
    return globs;
  }

  boolean matches(String name) {
    return XattrGlob.matchesAny(globs, name);
  }

  @Override
  public String toString() {
    return globs.toString();
  }
}
