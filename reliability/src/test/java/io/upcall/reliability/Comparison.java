package io.upcall.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The required invalidations against the ones delivered, as multisets: what is missing, and what came extra beyond
 * the invalidations docs/semantics.md permits at same-millisecond moments (those are only counted). A batch may fold
 * one client's changes of an inode into one (docs/semantics.md, "Wire format"): a delivered invalidation that carries
 * a required one's cause and event time with at least its flags stands for it, and a required invalidation that no
 * delivered one matches is still not lost when a later one to the same client about the same inode covers it
 * ({@link Coverage}); both are counted as folded.
 */
record Comparison(
    int required,
    int delivered,
    List<Told> lost,
    List<Told> duplicated,
    int sameMillisecondExtras,
    int folded) {

  static Comparison of(SpecOracle.Expected expected, List<Told> delivered) {
    Map<Told, Integer> left = new HashMap<>();
    expected.required().forEach(told -> left.merge(told, 1, Integer::sum));
    Map<Told.Moment, Integer> permitted = new HashMap<>(expected.sameMillisecond());
    List<Told> duplicated = new ArrayList<>();
    int sameMillisecondExtras = 0;
    int folded = 0;
    Map<String, List<Told>> byCause = new HashMap<>();
    expected
        .required()
        .forEach(told -> byCause.computeIfAbsent(cause(told), key -> new ArrayList<>()).add(told));
    for (Told told : delivered) {
      Told standsFor =
          left.containsKey(told)
              ? told
              : foldedInto(told, byCause.getOrDefault(cause(told), List.of()), left);
      if (standsFor != null) {
        left.merge(standsFor, -1, Integer::sum);
        left.remove(standsFor, 0);
        folded += standsFor == told ? 0 : 1;
      } else if (permitted.getOrDefault(told.moment(), 0) > 0) {
        permitted.merge(
            told.moment(), -1, Integer::sum); // one per touch at that moment: more are duplicates
        sameMillisecondExtras++;
      } else {
        duplicated.add(told);
      }
    }
    List<Told> missing = new ArrayList<>();
    left.forEach(
        (told, count) -> {
          for (int i = 0; i < count; i++) {
            missing.add(told);
          }
        });
    List<Told> lost = Coverage.of(missing, delivered).uncovered();
    folded += missing.size() - lost.size();
    return new Comparison(
        expected.required().size(),
        delivered.size(),
        lost,
        duplicated,
        sameMillisecondExtras,
        folded);
  }

  /** The required invalidation a folded delivery stands for: same client, inode, cause and time, no fewer flags. */
  private static Told foldedInto(Told told, List<Told> sameCause, Map<Told, Integer> left) {
    for (Told required : sameCause) {
      if (left.containsKey(required) && (told.flags() & required.flags()) == required.flags()) {
        return required;
      }
    }
    return null;
  }

  private static String cause(Told told) {
    return told.client() + "|" + told.gfid() + "|" + told.cause() + "|" + told.eventTimeMs();
  }

  /** One line for the test output, with a few examples of each difference. */
  String summary() {
    return "required "
        + required
        + ", delivered "
        + delivered
        + ", lost "
        + lost.size()
        + ", extra "
        + duplicated.size()
        + " (+"
        + sameMillisecondExtras
        + " permitted at same-millisecond moments), folded "
        + folded
        + (lost.isEmpty() ? "" : "; lost e.g. " + lost.subList(0, Math.min(3, lost.size())))
        + (duplicated.isEmpty()
            ? ""
            : "; extra e.g. " + duplicated.subList(0, Math.min(3, duplicated.size())));
  }
}
