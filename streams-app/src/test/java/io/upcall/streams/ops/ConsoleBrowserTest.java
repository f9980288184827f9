package io.upcall.streams.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.schemas.Gfids;
import io.upcall.schemas.serde.UpcallSerdes;
import io.upcall.schemas.topics.TopicSettings;
import io.upcall.schemas.topics.UpcallTopics;
import io.upcall.streams.UpcallStreamsApp;
import io.upcall.streams.UpcallStreamsConfig;
import io.upcall.testkit.EmbeddedKafkaExtension;
import io.upcall.testkit.Eventually;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a real browser (Debian's headless chromium through chromedriver): two instances of one
 * application on a real broker, one whose console only reads and one that may change switches; fops pushed while the
 * page is open. Skipped, saying why, where no chromium and chromedriver are installed.
 */
@ExtendWith(ConsoleBrowserTest.InstalledChromium.class)
@TestMethodOrder(
    MethodOrderer.OrderAnnotation.class) // the screenshot, last, shows a switch changed at runtime
class ConsoleBrowserTest {
  private static final int PARTITIONS = 4;
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCREENSHOT = Path.of("target", "console.png");

  /** Selenium warns that it has no DevTools bindings for this chromium; the test does not use them. */
  private static final Logger SELENIUM_DEVTOOLS = Logger.getLogger("org.openqa.selenium.devtools");

  @RegisterExtension static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  @TempDir static Path stateDirs;

  private static final List<UpcallStreamsApp> apps = new ArrayList<>();
  private static UpcallTopics topics;
  private static KafkaProducer<String, FopRecord> fops;
  private static URI readOnly;
  private static URI writable;
  private static ChromeDriver browser;
  private static final List<Gfid> inodes = new ArrayList<>();
  private static long lastPushNanos;

  /** Aborts the class before its broker starts when there is no browser to drive. */
  static final class InstalledChromium implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      Assumptions.assumeTrue(
          chromium().isPresent() && chromedriver().isPresent(),
          "no chromium and chromedriver installed (looked for $CHROME_BIN, /usr/bin/chromium and $CHROMEDRIVER, "
              + "/usr/bin/chromedriver): apt-get install chromium chromium-driver");
    }
  }

  @BeforeAll
  static void twoInstancesAndABrowser() throws Exception {
    topics = kafka.uniqueTopics(PARTITIONS);
    String applicationId = kafka.uniqueName("console");
    apps.add(start(applicationId, "reads", false));
    apps.add(start(applicationId, "writes", true));
    readOnly = apps.get(0).operatorEndpoint().orElseThrow();
    writable = apps.get(1).operatorEndpoint().orElseThrow();
    fops =
        new KafkaProducer<>(
            kafka.clientProperties(),
            new StringSerializer(),
            UpcallSerdes.fopRecord().serializer());
    for (int partition = 0; partition < PARTITIONS; partition++) {
      inodes.add(OperatorEndpointTest.gfidOnPartition(partition));
    }
    push();

    SELENIUM_DEVTOOLS.setLevel(Level.SEVERE);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium().orElseThrow().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1500,2500",
        "--hide-scrollbars");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver().orElseThrow().toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));

    for (URI endpoint : List.of(readOnly, writable)) {
      Eventually.within(
          WAIT,
          "both instances own inode partitions, as " + endpoint + " sees them",
          () ->
              OperatorEndpointTest.read(
                  OperatorEndpointTest.get(endpoint, "/instances"), Instances.class),
          instances ->
              instances.instances().size() == 2
                  && instances.instances().stream()
                      .allMatch(member -> !member.activePartitions().isEmpty()));
    }
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (fops != null) {
      fops.close();
    }
    // Together: one leaving alone would make the other rebalance before its own close.
    CompletableFuture.allOf(
            apps.stream()
                .map(app -> CompletableFuture.runAsync(app::close))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  @Test
  @Order(2)
  void theConsoleShowsInstancesChartsHotInodesAndLooksUpAGfid() throws IOException {
    browser.get(readOnly.toString());
    assertThat(browser.getTitle()).isEqualTo("Upcall console");

    // The instances with their partitions: every partition active somewhere, and (one standby each)
    // standby too.
    List<String> activeCells =
        Eventually.within(
            WAIT,
            "both instances listed with their partitions",
            () -> texts("#instances tbody tr[data-instance] td.active"),
            cells ->
                cells.size() == 2
                    && cells.stream().noneMatch(cell -> cell.equals("–"))
                    && String.join(",", cells).split(",").length == PARTITIONS);
    assertThat(String.join(", ", activeCells).replace(" ", "").split(","))
        .containsExactlyInAnyOrder("0", "1", "2", "3");
    assertThat(texts("#instances tbody tr[data-instance] td.standby"))
        .allSatisfy(cell -> assertThat(cell).isNotEqualTo("–"));
    Eventually.within(
        WAIT,
        "both instances RUNNING with tracked inodes",
        () -> texts("#instances td.state-RUNNING"),
        cells -> cells.size() == 2);

    // The charts: uPlot drew lines of fops/s and invalidations/s that are not all zero.
    for (String chart : List.of("fops", "invalidations")) {
      Eventually.within(
          WAIT,
          "the " + chart + " chart shows traffic",
          () -> {
            pushEvery(Duration.ofMillis(500));
            return script(
                "const c = upcallConsole.charts['"
                    + chart
                    + "']; if (!c) return 0;"
                    + "return Math.max(0, ...c.data.slice(1).flat().filter(v => v != null));");
          },
          max -> ((Number) max).doubleValue() > 0);
      long drawn =
          ((Number)
                  script(
                      "const canvas = document.querySelector('#chart-"
                          + chart
                          + " canvas');"
                          + "const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
                          + "let drawn = 0; for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) drawn++; } return drawn;"))
              .longValue();
      assertThat(drawn).as("pixels drawn on the %s chart", chart).isGreaterThan(500);
    }
    assertThat(texts("#chart-fops .u-legend .u-series th"))
        .anySatisfy(label -> assertThat(label).contains("total"));

    // Stores, lag, switches and the hottest inodes are filled in.
    Eventually.within(
        WAIT,
        "stores listed",
        () -> texts("#stores tbody td"),
        cells -> cells.contains("upcall-tracked-clients"));
    Eventually.within(
        WAIT,
        "lag listed for the input partitions",
        () -> texts("#lag tbody tr"),
        rows -> rows.size() >= PARTITIONS);
    Eventually.within(
        WAIT,
        "the hottest inodes by fresh clients",
        () -> texts("#hot-fresh tbody td a.gfid"),
        gfids -> gfids.contains(Gfids.format(inodes.get(0))));
    Eventually.within(
        WAIT,
        "the hottest inodes by changes",
        () -> {
          pushEvery(Duration.ofMillis(500));
          return texts("#hot-changes tbody td a.gfid");
        },
        gfids ->
            !gfids.isEmpty() && inodes.stream().map(Gfids::format).toList().containsAll(gfids));

    // The lookup box finds a gfid through /inodes/{gfid}, and a client through /clients/{uid}.
    String gfid = Gfids.format(inodes.get(2));
    lookUp(gfid);
    String found =
        Eventually.within(
            WAIT,
            "the gfid found",
            () -> text("#lookup-result"),
            text -> text.contains("inode " + gfid) && text.contains("reader-3"));
    assertThat(found).contains("partition 2", "writer");
    lookUp("reader-1");
    Eventually.within(
        WAIT,
        "the client's inodes found",
        () -> text("#lookup-result"),
        text -> text.contains("client reader-1 is fresh on " + PARTITIONS + " inodes"));
    lookUp(gfid);
    Eventually.within(
        WAIT,
        "the gfid shown again",
        () -> text("#lookup-result"),
        text -> text.contains("inode " + gfid));

    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
  }

  @Test
  @Order(1)
  void switchesChangeFromTheConsoleOnlyWhereAllowed() {
    browser.get(readOnly.toString());
    Eventually.within(
        WAIT,
        "the switches of both instances",
        () -> texts("#switches thead th"),
        headers -> headers.size() == 3);
    Eventually.within(
        WAIT,
        "the notice that changes are off",
        () -> text("#switch-notice"),
        text -> text.contains("upcall.http.console.allow-config-changes=false"));
    assertThat(browser.findElement(By.id("switch-set")).isEnabled()).isFalse();
    // The server refuses too, whatever the page allows.
    Object refused =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch('/config', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                    + " body: JSON.stringify({option: 'cache-invalidation-timeout', value: '45'})})"
                    + ".then(r => r.json().then(b => done(r.status + ' ' + b.error)));");
    assertThat(refused.toString())
        .startsWith("403 ")
        .contains("changing switches from the console is off");

    browser.get(writable.toString());
    WebElement set =
        Eventually.within(
            WAIT,
            "the switch form enabled",
            () -> browser.findElement(By.id("switch-set")),
            WebElement::isEnabled);
    assertThat(text("#switch-notice")).isEmpty();
    browser
        .findElement(By.cssSelector("#switch-option option[value='cache-invalidation-timeout']"))
        .click();
    browser.findElement(By.id("switch-value")).sendKeys("nonsense");
    set.click();
    Eventually.within(
        WAIT,
        "a bad value refused",
        () -> text("#switch-status"),
        text ->
            text.contains("refused (400)")
                && text.contains("cache-invalidation-timeout must be a whole number"));
    browser.findElement(By.id("switch-value")).clear();
    browser.findElement(By.id("switch-value")).sendKeys("45");
    set.click();
    Eventually.within(
        WAIT,
        "the change written",
        () -> text("#switch-status"),
        text -> text.contains("set cache-invalidation-timeout = 45 in " + topics.config()));
    Eventually.within(
        WAIT,
        "both instances apply it",
        () -> texts("#switches tbody tr[data-option='cache-invalidation-timeout'] td.value strong"),
        values -> values.equals(List.of("45", "45")));
  }

  private static String text(String css) {
    return String.join("\n", texts(css));
  }

  private static void lookUp(String text) {
    WebElement input = browser.findElement(By.id("lookup-input"));
    input.clear();
    input.sendKeys(text);
    browser.findElement(By.id("lookup-button")).click();
  }

  /** The visible text of every element {@code css} selects, read in one script: the page redraws while polling. */
  @SuppressWarnings("unchecked")
  private static List<String> texts(String css) {
    return (List<String>)
        script(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());",
            css);
  }

  private static Object script(String body, Object... arguments) {
    return ((JavascriptExecutor) browser).executeScript(body, arguments);
  }

  /** Pushes another round of fops unless one went out less than {@code period} ago. */
  private static void pushEvery(Duration period) {
    if (System.nanoTime() - lastPushNanos >= period.toNanos()) {
      push();
    }
  }

  /** Three readers on every inode (one more on the first), and a write to each, at the current time. */
  private static void push() {
    long now = System.currentTimeMillis();
    for (int i = 0; i < inodes.size(); i++) {
      Gfid inode = inodes.get(i);
      for (int reader = 1; reader <= (i == 0 ? 4 : 3); reader++) {
        send(fop(Fop.LOOKUP, "reader-" + reader, inode, now));
      }
      send(fop(Fop.WRITE, "writer", inode, now + 1));
    }
    fops.flush();
    lastPushNanos = System.nanoTime();
  }

  private static void send(FopRecord fop) {
    fops.send(
        new ProducerRecord<>(
            topics.fops(), null, fop.getEventTimeMs(), Gfids.format(fop.getGfid()), fop));
  }

  private static FopRecord fop(Fop fop, String client, Gfid gfid, long eventTimeMs) {
    return FopRecord.newBuilder()
        .setVolume("vol")
        .setBrick("brick-1")
        .setFop(fop)
        .setClient(client)
        .setGfid(gfid)
        .setEventTimeMs(eventTimeMs)
        .build();
  }

  private static UpcallStreamsApp start(
      String applicationId, String stateDir, boolean allowConfigChanges) {
    Map<String, Object> props = new HashMap<>();
    props.put(UpcallStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(UpcallStreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(UpcallStreamsConfig.TOPIC_PREFIX_CONFIG, OperatorEndpointTest.prefixOf(topics));
    props.put(TopicSettings.PARTITIONS_CONFIG, PARTITIONS);
    props.put(UpcallStreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(UpcallStreamsConfig.STATE_DIR_CONFIG, stateDirs.resolve(stateDir).toString());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    props.put(HttpSettings.PORT_CONFIG, 0);
    props.put(HttpSettings.BIND_ADDRESS_CONFIG, "127.0.0.1");
    props.put(HttpSettings.ALLOW_CONFIG_CHANGES_CONFIG, Boolean.toString(allowConfigChanges));
    return UpcallStreamsApp.start(new UpcallStreamsConfig(props));
  }

  private static Optional<Path> chromium() {
    return firstExecutable(
        System.getenv("CHROME_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser");
  }

  private static Optional<Path> chromedriver() {
    return firstExecutable(
        System.getenv("CHROMEDRIVER"),
        System.getProperty("webdriver.chrome.driver"),
        "/usr/bin/chromedriver");
  }

  private static Optional<Path> firstExecutable(String... candidates) {
    return Stream.of(candidates)
        .filter(candidate -> candidate != null && !candidate.isBlank())
        .map(Path::of)
        .filter(path -> new File(path.toString()).canExecute())
        .findFirst();
  }
}
