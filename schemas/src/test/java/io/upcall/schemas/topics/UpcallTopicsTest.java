package io.upcall.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class UpcallTopicsTest {

  @Test
  void defaultsAreTheNamesOfTheArchitecture() {
    UpcallTopics topics = UpcallTopics.defaults();

    assertThat(topics.fops()).isEqualTo("upcall.fops");
    assertThat(topics.fopsDlq()).isEqualTo("upcall.fops.dlq");
    assertThat(topics.invalidations()).isEqualTo("upcall.invalidations");
    assertThat(topics.xattrInterest()).isEqualTo("upcall.xattr-interest");
    assertThat(topics.config()).isEqualTo("upcall.config");
    assertThat(topics.replies()).isEqualTo("upcall.replies");
    assertThat(topics.all())
        .containsExactly(
            "upcall.fops",
            "upcall.fops.dlq",
            "upcall.invalidations",
            "upcall.xattr-interest",
            "upcall.config",
            "upcall.replies");
  }

  @Test
  void aVolumePrefixesEveryName() {
    assertThat(UpcallTopics.forVolume("vol1").all())
        .containsExactly(
            "vol1.upcall.fops",
            "vol1.upcall.fops.dlq",
            "vol1.upcall.invalidations",
            "vol1.upcall.xattr-interest",
            "vol1.upcall.config",
            "vol1.upcall.replies");
    assertThat(UpcallTopics.withPrefix("test-42-").fops()).isEqualTo("test-42-upcall.fops");
    assertThat(UpcallTopics.withPrefix("")).isEqualTo(UpcallTopics.defaults());
  }

  @Test
  void thePrefixComesFromConfiguration() {
    Properties properties = new Properties();
    properties.setProperty(UpcallTopics.PREFIX_CONFIG, " vol2. ");

    assertThat(UpcallTopics.fromConfig(properties).invalidations())
        .isEqualTo("vol2.upcall.invalidations");
    assertThat(UpcallTopics.fromConfig(Map.of())).isEqualTo(UpcallTopics.defaults());
  }

  @Test
  void anIllegalNameIsRefusedNamingTheTopicAndTheName() {
    assertThatThrownBy(() -> UpcallTopics.withPrefix("my volume."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "fops topic name 'my volume.upcall.fops' is not a legal Kafka topic name");
    assertThatThrownBy(() -> UpcallTopics.forVolume(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("volume must not be empty");
    assertThatThrownBy(() -> UpcallTopics.withPrefix("x".repeat(240)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 249 characters");
  }

  @Test
  void theFiveNamesOfTheFirstVersionGetARepliesTopicBesideTheFops() {
    assertThat(new UpcallTopics("v.upcall.fops", "b", "c", "d", "e").replies())
        .isEqualTo("v.upcall.replies");
    assertThat(new UpcallTopics("fops-x", "b", "c", "d", "e").replies())
        .isEqualTo("fops-x.replies");
  }

  @Test
  void twoRolesCannotShareATopic() {
    assertThatThrownBy(() -> new UpcallTopics("a", "b", "a", "c", "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Upcall topic names must differ: [a, b, a, c, d, a.replies]");
  }
}
