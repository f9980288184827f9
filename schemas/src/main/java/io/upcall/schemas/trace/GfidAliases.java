package io.upcall.schemas.trace;

import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The gfids a trace names by alias ({@code "dir1"}, {@code "f"}) instead of a UUID: each alias maps to a fixed
 * name-based UUID, and the table remembers the alias so tools print back the text the trace used. Thread-safe.
 */
public final class GfidAliases {
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Map<UUID, String> aliasByUuid = new ConcurrentHashMap<>();
  private final Consumer<String> onNewAlias;

  /** A table that takes every text that is not a UUID as an alias. */
  public GfidAliases() {
    this(alias -> {});
  }

  /**
   * A table that tells {@code onNewAlias} each alias the first time it resolves it, e.g. to warn that a gfid is not a
   * UUID (a mistyped UUID would otherwise silently name another inode). {@code onNewAlias} may refuse the alias by
   * throwing an {@link IllegalArgumentException}, which {@link #resolve} passes on.
   */
  public GfidAliases(Consumer<String> onNewAlias) {
    this.onNewAlias = Objects.requireNonNull(onNewAlias, "onNewAlias");
  }

  /** Whether {@code text} is a UUID in its canonical 8-4-4-4-12 form (of either case), not an alias. */
  public static boolean isUuid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches();
  }

  /**
   * The gfid {@code text} names: a UUID string is taken as it is; any other text is an alias for
   * {@code UUID.nameUUIDFromBytes(("gfid:" + text).getBytes(UTF_8))}, remembered for {@link #display}.
   *
   * @throws IllegalArgumentException when {@code text} is null or empty
   */
  public Gfid resolve(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("a gfid must not be empty");
    }
    if (UUID_TEXT.matcher(text).matches()) {
      return Gfids.of(UUID.fromString(text));
    }
    UUID uuid = aliasUuid(text);
    if (!aliasByUuid.containsKey(uuid)) {
      onNewAlias.accept(text);
    }
    String previous = aliasByUuid.putIfAbsent(uuid, text);
    if (previous != null && !previous.equals(text)) {
      throw new IllegalArgumentException(
          "aliases '" + previous + "' and '" + text + "' name the same gfid " + uuid);
    }
    return Gfids.of(uuid);
  }

  /** The alias this table knows for {@code gfid}, else its canonical UUID string. */
  public String display(Gfid gfid) {
    UUID uuid = Gfids.toUuid(gfid);
    String alias = aliasByUuid.get(uuid);
    return alias != null ? alias : uuid.toString();
  }

  /** The gfid an alias stands for, the same in every table and every run. */
  static UUID aliasUuid(String alias) {
    return UUID.nameUUIDFromBytes(("gfid:" + alias).getBytes(StandardCharsets.UTF_8));
  }
}
