package io.upcall.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The required invalidations against the ones delivered, as multisets: what is missing, and what came extra beyond
 * the invalidations docs/semantics.md permits at same-millisecond moments (those are only counted).
 */
record Comparison(int required, int delivered, List<Told> lost, List<Told> duplicated, int sameMillisecondExtras) {

  static Comparison of(SpecOracle.Expected expected, List<Told> delivered) {
    Map<Told, Integer> left = new HashMap<>();
    expected.required().forEach(told -> left.merge(told, 1, Integer::sum));
    Map<Told.Moment, Integer> permitted = new HashMap<>(expected.sameMillisecond());
    List<Told> duplicated = new ArrayList<>();
    int sameMillisecondExtras = 0;
    for (Told told : delivered) {
      Integer count = left.get(told);
      if (count != null) {
        if (count == 1) {
          left.remove(told);
        } else {
          left.put(told, count - 1);
        }
      } else if (permitted.getOrDefault(told.moment(), 0) > 0) {
        permitted.merge(told.moment(), -1, Integer::sum); // one per touch at that moment: more are duplicates
        sameMillisecondExtras++;
      } else {
        duplicated.add(told);
      }
    }
    List<Told> lost = new ArrayList<>();
    left.forEach((told, count) -> {
      for (int i = 0; i < count; i++) {
        lost.add(told);
      }
    });
    return new Comparison(expected.required().size(), delivered.size(), lost, duplicated, sameMillisecondExtras);
  }

  /** One line for the test output, with a few examples of each difference. */
  String summary() {
    return "required " + required + ", delivered " + delivered + ", lost " + lost.size() + ", extra "
        + duplicated.size() + " (+" + sameMillisecondExtras + " permitted at same-millisecond moments)"
        + (lost.isEmpty() ? "" : "; lost e.g. " + lost.subList(0, Math.min(3, lost.size())))
        + (duplicated.isEmpty() ? "" : "; extra e.g. " + duplicated.subList(0, Math.min(3, duplicated.size())));
  }
}
