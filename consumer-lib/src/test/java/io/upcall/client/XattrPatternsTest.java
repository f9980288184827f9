package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XattrPatternsTest {

  @ParameterizedTest(name = "''{0}'' vs ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "user.*            | user.mime         | true",
        "user.*            | user.             | true",
        "user.*            | trusted.user.x    | false",
        "security.selinux  | security.selinux  | true",
        "security.selinux  | security.selinuxx | false",
        "user.?            | user.a            | true",
        "user.?            | user.ab           | false",
        "user.[ab]*        | user.beta         | true",
        "user.[ab]*        | user.gamma        | false",
        "user.[!ab]*       | user.gamma        | true",
        "user.[^ab]*       | user.alpha        | false",
        "user.[a-c]        | user.b            | true",
        "user.[a-c]        | user.d            | false",
        "user.[]]          | user.]            | true",
        "user.[            | user.[            | true",
        "user.\\*          | user.*            | true",
        "user.\\*          | user.x            | false",
        "*.acl             | system.posix.acl  | true",
        "a*b*c             | axxbyyc           | true",
        "a*b*c             | axxbyy            | false",
        "user.(x)+         | user.(x)+         | true",
        "user.(x)+         | user.xx           | false",
      })
  void matchesNamesAsFnmatchDoes(String glob, String name, boolean expected) {
    assertThat(XattrPatterns.of(List.of(glob.strip())).matches(name.strip())).isEqualTo(expected);
  }

  @Test
  void noPatternsMatchNothing() {
    assertThat(XattrPatterns.NONE.matches("user.a")).isFalse();
  }

  @Test
  void rejectsABlankPatternNamingTheList() {
    assertThatThrownBy(() -> XattrPatterns.of(Arrays.asList("user.*", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("xattr pattern");
  }
}
