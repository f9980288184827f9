package io.upcall.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** One GlusterFS upcall flag bit, and the conversions between a flags bitmask and flag names. */
public enum UpcallFlag {
  NLINK(0x1),
  MODE(0x2),
  OWN(0x4),
  SIZE(0x8),
  TIMES(0x10),
  ATIME(0x20),
  PERM(0x40),
  RENAME(0x80),
  FORGET(0x100),
  PARENT_TIMES(0x200),
  XATTR(0x400),
  XATTR_RM(0x800);

  /** Every bit a flag names; anything outside it is not an upcall flag. */
  public static final int ALL_BITS = 0xFFF;

  private final int bit;

  UpcallFlag(int bit) {
    this.bit = bit;
  }

  /** The GlusterFS bit value of this flag. */
  public int bit() {
    return bit;
  }

  /** True when {@code flags} has this flag's bit set. */
  public boolean in(int flags) {
    return (flags & bit) != 0;
  }

  /** The bitmask of the given flags. */
  public static int mask(UpcallFlag... flags) {
    int mask = 0;
    for (UpcallFlag flag : flags) {
      mask |= flag.bit;
    }
    return mask;
  }

  /** The names of the flags set in {@code flags}, in bit order; unknown bits are named in hex. */
  public static List<String> names(int flags) {
    List<String> names = new ArrayList<>();
    for (UpcallFlag flag : values()) {
      if (flag.in(flags)) {
        names.add(flag.name());
      }
    }
    int unknown = flags & ~ALL_BITS;
    if (unknown != 0) {
      names.add(String.format("0x%x", unknown));
    }
    return names;
  }

  /** The bitmask named by {@code names} (case-insensitive); an unknown name is an IllegalArgumentException. */
  public static int parse(Collection<String> names) {
    int mask = 0;
    for (String name : names) {
      try {
        mask |= valueOf(name.trim().toUpperCase(Locale.ROOT)).bit;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown upcall flag '" + name + "' (known: " + List.of(values()) + ")");
      }
    }
    return mask;
  }

  /** The flags set in {@code flags} joined with '|', e.g. {@code SIZE|TIMES}; "0" when none. */
  public static String format(int flags) {
    List<String> names = names(flags);
    return names.isEmpty() ? "0" : String.join("|", names);
  }
}
