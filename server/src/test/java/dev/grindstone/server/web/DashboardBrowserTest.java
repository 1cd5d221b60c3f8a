package dev.grindstone.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in real headless Chromium: a run's chart and rows, user strings shown as text, and
 * baselines and trends.
 */
class DashboardBrowserTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String DRIVER = "/usr/bin/chromedriver";
  private static final String XSS = "<script>alert(1)</script>";

  @TempDir Path dir;

  private static String post(HttpClient c, String url, String body) throws Exception {
    HttpResponse<String> r =
        c.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 204);
    return r.body();
  }

  private static String histogram(long... values) {
    Histogram h = new Histogram(3);
    for (long v : values) {
      h.recordValue(v);
    }
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n));
  }

  @Test
  void the_run_page_shows_the_chart_and_rows_and_user_strings_as_text() throws Exception {
    boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
    if (!present) {
      Assumptions.assumeTrue(
          System.getenv("CI") != null,
          "headless Chromium is not installed (apt-get install chromium chromium-driver); the CI"
              + " script installs it");
      throw new AssertionError("CI is set but " + CHROMIUM + " or " + DRIVER + " is missing");
    }
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("b.db")).start()) {
      HttpClient c = HttpClient.newHttpClient();
      String base = server.url();
      post(
          c,
          base + "/api/v1/runs",
          "{\"id\":\"browser\",\"name\":\"checkout\",\"agent\":\"a\",\"tests\":["
              + "{\"number\":1,\"description\":\""
              + XSS.replace("\"", "\\\"")
              + "\"},{\"number\":2,\"description\":\"Browse\"}],\"startMs\":1700000000000}");
      for (int i = 0; i < 3; i++) {
        long s = 1_700_000_000_000L + i * 1000L;
        post(
            c,
            base + "/api/v1/runs/browser/snapshots",
            "{\"agent\":\"a\",\"seq\":"
                + i
                + ",\"phase\":\"hold\",\"startMs\":"
                + s
                + ",\"endMs\":"
                + (s + 1000)
                + ",\"tests\":[{\"number\":1,\"statistics\":{\"errors\":"
                + i
                + ",\"timedTests\":{\"count\":3,\"sum\":6000,\"variance\":666.0}},\"histogram\":\""
                + histogram(1000, 2000, 3000)
                + "\"},{\"number\":2,\"statistics\":{\"errors\":0,\"timedTests\":{\"count\":1,\"sum\":500,\"variance\":0}},\"histogram\":\""
                + histogram(500)
                + "\"}]}");
      }
      JsonNode api =
          new ObjectMapper()
              .readTree(
                  c.send(
                          HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/browser")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());

      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome-profile")));
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(DRIVER))
              .usingAnyFreePort()
              .build();
      WebDriver driver = new ChromeDriver(service, options);
      try {
        driver.get(base + "/#/runs/browser");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        WebElement rowsTable =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#run-tests tbody tr")).size() == 3
                        ? d.findElement(By.id("run-tests"))
                        : null);
        List<WebElement> rows = rowsTable.findElements(By.cssSelector("tbody tr"));
        assertThat(rows.get(0).findElements(By.tagName("td")).get(0).getText())
            .isEqualTo("1 " + XSS);
        assertThat(rows.get(0).findElements(By.tagName("td")).get(1).getText())
            .isEqualTo(String.valueOf(api.get("tests").get(0).get("tests").asLong()));
        assertThat(rows.get(2).findElements(By.tagName("td")).get(1).getText())
            .isEqualTo(String.valueOf(api.get("totals").get("tests").asLong()));
        assertThat(driver.findElements(By.cssSelector("#run-tests script"))).isEmpty();
        assertThatThrownBy(() -> driver.switchTo().alert())
            .isInstanceOf(NoAlertPresentException.class);
        Object points =
            ((JavascriptExecutor) driver)
                .executeScript(
                    "const c = Chart.getChart('chart-tps'); return c ?"
                        + " c.data.datasets[0].data.length : -1;");
        assertThat(((Number) points).intValue()).isEqualTo(3);
        assertThat(driver.findElement(By.id("chart-tps")).getSize().getHeight()).isPositive();

        // While the run goes on, the page adds the new intervals, fetching only what changed.
        for (int i = 3; i < 5; i++) {
          long s = 1_700_000_000_000L + i * 1000L;
          post(
              c,
              base + "/api/v1/runs/browser/snapshots",
              "{\"agent\":\"a\",\"seq\":"
                  + i
                  + ",\"phase\":\"hold\",\"startMs\":"
                  + s
                  + ",\"endMs\":"
                  + (s + 1000)
                  + ",\"tests\":[{\"number\":2,\"statistics\":{\"errors\":0,\"timedTests\":{\"count\":1,"
                  + "\"sum\":700,\"variance\":0}},\"histogram\":\""
                  + histogram(700)
                  + "\"}]}");
        }
        wait.until(
            d ->
                ((Number)
                            ((JavascriptExecutor) d)
                                .executeScript(
                                    "const c = Chart.getChart('chart-tps'); return c ?"
                                        + " c.data.datasets[0].data.length : -1;"))
                        .intValue()
                    == 5);
        wait.until(
            d ->
                d.findElement(By.id("run-tests"))
                    .findElements(By.cssSelector("tbody tr"))
                    .get(2)
                    .findElements(By.tagName("td"))
                    .get(1)
                    .getText()
                    .equals(String.valueOf(api.get("totals").get("tests").asLong() + 2)));
        Object fetched =
            ((JavascriptExecutor) driver)
                .executeScript(
                    "return performance.getEntriesByType('resource').map(e => e.name).filter(n =>"
                        + " n.includes('/series'));");
        assertThat(fetched.toString()).contains("series?after=");

        driver.get(base + "/#/runs");
        WebElement link =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#runs-table a")).isEmpty()
                        ? null
                        : d.findElement(By.cssSelector("#runs-table a")));
        assertThat(link.getText()).isEqualTo("checkout");

        post(
            c,
            base + "/contexts/",
            "{\"h\":\"ctx\",\"cpu_count\":2,\"cpu_frequency\":0.0,\"ram_total\":1,\"machine_node\":\"n\","
                + "\"machine_type\":\"x86_64\",\"machine_arch\":\"64bit\",\"system_info\":\"Linux\",\"python_info\":\"3.11\"}");
        post(
            c,
            base + "/sessions/",
            "{\"session_h\":\"ses\",\"run_date\":\"2026-11-21T20:55:23\",\"scm_ref\":\"abc\",\"description\":{}}");
        post(
            c,
            base + "/metrics/",
            "{\"session_h\":\"ses\",\"context_h\":\"ctx\",\"item_start_time\":\"2026-11-21T20:55:23\","
                + "\"item_path\":\"t\",\"item\":\""
                + XSS.replace("\"", "\\\"")
                + "\",\"item_variant\":\"\",\"item_fs_loc\":\"t.py\","
                + "\"kind\":\"function\",\"component\":\"web\",\"total_time\":0.5,\"user_time\":0.1,\"kernel_time\":0.0,\"cpu_usage\":0.2,\"mem_usage\":1.5}");
        driver.get(base + "/#/pytest");
        WebElement cell =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#metrics-table tbody td")).size() > 1
                        ? d.findElements(By.cssSelector("#metrics-table tbody td")).get(1)
                        : null);
        assertThat(cell.getText()).isEqualTo(XSS);
        assertThatThrownBy(() -> driver.switchTo().alert())
            .isInstanceOf(NoAlertPresentException.class);
      } finally {
        driver.quit();
      }
    }
  }

  /** Skips where Chromium is missing, except on CI, which installs it. */
  private static void requireChromium() {
    boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
    if (!present) {
      Assumptions.assumeTrue(
          System.getenv("CI") != null,
          "headless Chromium is not installed (apt-get install chromium chromium-driver); the CI"
              + " script installs it");
      throw new AssertionError("CI is set but " + CHROMIUM + " or " + DRIVER + " is missing");
    }
  }

  private WebDriver chromium() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome-profile-2")));
    return new ChromeDriver(
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build(),
        options);
  }

  /** A finished run of one test, one snapshot per second, each of these latencies (µs). */
  private static void finishedRun(
      HttpClient c, String base, String id, String name, long t0, int intervals, long latency)
      throws Exception {
    post(
        c,
        base + "/api/v1/runs",
        "{\"id\":\""
            + id
            + "\",\"name\":"
            + new ObjectMapper().writeValueAsString(name)
            + ",\"agent\":\"a\",\"tests\":[{\"number\":1,\"description\":\"Log in\"}],\"startMs\":"
            + t0
            + "}");
    for (int i = 0; i < intervals; i++) {
      long s = t0 + i * 1000L;
      post(
          c,
          base + "/api/v1/runs/" + id + "/snapshots",
          "{\"agent\":\"a\",\"seq\":"
              + i
              + ",\"phase\":\"hold\",\"startMs\":"
              + s
              + ",\"endMs\":"
              + (s + 1000)
              + ",\"tests\":[{\"number\":1,\"statistics\":{\"errors\":0,\"timedTests\":{\"count\":2,\"sum\":"
              + 2 * latency
              + ",\"variance\":0}},\"histogram\":\""
              + histogram(latency, latency)
              + "\"}]}");
    }
    post(
        c,
        base + "/api/v1/runs/" + id + "/finish",
        "{\"agent\":\"a\",\"endMs\":" + (t0 + intervals * 1000L) + "}");
  }

  /** A figure as the dashboard writes it: whole numbers without decimals, others with two. */
  private static String shown(double v) {
    return v == Math.rint(v)
        ? String.format(java.util.Locale.ROOT, "%,d", (long) v)
        : String.format(java.util.Locale.ROOT, "%.2f", v);
  }

  private static JsonNode get(HttpClient c, String url) throws Exception {
    return new ObjectMapper()
        .readTree(
            c.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
  }

  @Test
  void a_distributed_runs_page_lists_its_agents_with_their_clock_offsets_and_drift()
      throws Exception {
    requireChromium();
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("d.db")).start()) {
      HttpClient c = HttpClient.newHttpClient();
      String base = server.url();
      java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
      try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(zip)) {
        z.putNextEntry(new java.util.zip.ZipEntry("run.yaml"));
        z.write("name: checkout\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      HttpResponse<String> created =
          c.send(
              HttpRequest.newBuilder(
                      URI.create(
                          base + "/api/v1/distributed?name=checkout&agents=2&runFile=run.yaml"))
                  .header("Content-Type", "application/zip")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = new ObjectMapper().readTree(created.body()).get("id").asText();
      String[] agents = new String[2];
      double[][] clocks = {{1.5, 0.4}, {-250.5, 3.0}};
      for (int i = 0; i < 2; i++) {
        agents[i] =
            new ObjectMapper()
                .readTree(
                    post(
                        c,
                        base + "/api/v1/agents",
                        "{\"name\":\"host-"
                            + i
                            + "\",\"version\":\"1\",\"cores\":2,\"maxHeap\":1000000,\"index\":"
                            + i
                            + ",\"attempt\":\"a"
                            + i
                            + "\"}"))
                .get("id")
                .asText();
        post(c, base + "/api/v1/agents/" + agents[i] + "/poll", "{}");
      }
      for (int i = 0; i < 2; i++) {
        post(
            c,
            base + "/api/v1/agents/" + agents[i] + "/ready",
            "{\"clockOffsetMs\":" + clocks[i][0] + ",\"clockRttMs\":" + clocks[i][1] + "}");
      }
      for (double offset : new double[] {0.5, 4.0}) {
        post(
            c,
            base + "/api/v1/agents/" + agents[0] + "/clock-samples",
            "{\"clockOffsetMs\":" + offset + ",\"clockRttMs\":0.6}");
      }
      finishedRun(c, base, id, "checkout", 1_700_000_000_000L, 2, 1000);

      WebDriver driver = chromium();
      try {
        driver.get(base + "/#/runs/" + id);
        WebElement table =
            new WebDriverWait(driver, Duration.ofSeconds(30))
                .until(
                    d ->
                        d.findElements(By.cssSelector("#run-agents tbody tr")).size() == 2
                            ? d.findElement(By.id("run-agents"))
                            : null);
        List<List<String>> rows =
            table.findElements(By.cssSelector("tbody tr")).stream()
                .map(
                    r ->
                        r.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
        assertThat(rows.get(0).subList(0, 7))
            .containsExactly("0", "host-0", "a0", "running", "+1.5 ms ±0.2 ms", "2", "+2.5 ms");
        assertThat(rows.get(1).subList(0, 7))
            .containsExactly("1", "host-1", "a1", "running", "-250.5 ms ±1.5 ms", "0", "–");
      } finally {
        driver.quit();
      }
    }
  }

  @Test
  void a_run_marked_as_baseline_on_its_page_stands_beside_later_runs_and_in_the_trend()
      throws Exception {
    requireChromium();
    String name = "checkout <i>v2</i>";
    String query =
        "name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("t.db")).start()) {
      HttpClient c = HttpClient.newHttpClient();
      String base = server.url();
      finishedRun(c, base, "base-run", name, 1_700_000_000_000L, 3, 2000);
      finishedRun(c, base, "new-run", name, 1_700_000_100_000L, 4, 5000);
      WebDriver driver = chromium();
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        JavascriptExecutor js = (JavascriptExecutor) driver;

        // Marked from the run's own page.
        driver.get(base + "/#/runs/base-run");
        wait.until(
                d ->
                    d.findElements(By.id("mark-baseline")).isEmpty()
                        ? null
                        : d.findElement(By.id("mark-baseline")))
            .click();
        WebElement badge =
            wait.until(
                d ->
                    d.findElements(By.id("baseline-badge")).isEmpty()
                        ? null
                        : d.findElement(By.id("baseline-badge")));
        assertThat(badge.getText()).isEqualTo("baseline of " + name);
        assertThat(get(c, base + "/api/v1/baselines?" + query).get("runId").asText())
            .isEqualTo("base-run");

        // A later run stands beside it: figures side by side, charts overlaid against elapsed time.
        driver.get(base + "/#/runs/new-run");
        WebElement beside =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#baseline-tests tbody tr")).size() == 2
                        ? d.findElement(By.id("baseline-tests"))
                        : null);
        List<WebElement> cells =
            beside.findElements(By.cssSelector("tbody tr")).get(0).findElements(By.tagName("td"));
        double p99 =
            get(c, base + "/api/v1/runs/new-run").get("tests").get(0).get("p99Ms").asDouble();
        double baseP99 =
            get(c, base + "/api/v1/runs/base-run").get("tests").get(0).get("p99Ms").asDouble();
        assertThat(cells.get(0).getText()).isEqualTo("1 Log in");
        assertThat(cells.get(1).getText()).isEqualTo(shown(p99));
        assertThat(cells.get(2).getText()).isEqualTo(shown(baseP99));
        assertThat(cells.get(3).getText())
            .isEqualTo(
                String.format(java.util.Locale.ROOT, "+%.2f%%", (p99 - baseP99) * 100 / baseP99));
        assertThat(driver.findElement(By.id("baseline-link")).getText()).isEqualTo("base-run");
        Object overlay =
            js.executeScript(
                "const c = Chart.getChart('chart-tps'); return [c.data.datasets.map(d => d.label +"
                    + " ':' + d.data.length).join(','), c.data.labels[0], c.data.labels.length];");
        assertThat(overlay.toString()).isEqualTo("[TPS:4,TPS (baseline):3, +0s, 4]");

        // The trend of the name: each run's p99, TPS and error rate; a point opens its run.
        driver.findElement(By.id("trend-link")).click();
        WebElement runs =
            wait.until(
                d ->
                    d.findElements(By.cssSelector("#trend-runs tbody tr")).size() == 2
                        ? d.findElement(By.id("trend-runs"))
                        : null);
        assertThat(driver.findElement(By.id("trend-name")).getText()).isEqualTo(name);
        assertThat(driver.findElements(By.cssSelector("#trend-name i"))).isEmpty();
        List<WebElement> rows = runs.findElements(By.cssSelector("tbody tr"));
        assertThat(rows.get(0).findElements(By.tagName("td")).get(0).getText())
            .isEqualTo("new-run");
        assertThat(rows.get(1).findElements(By.tagName("td")).get(3).getText())
            .isEqualTo("baseline");
        assertThat(rows.get(1).findElements(By.tagName("td")).get(4).getText())
            .isEqualTo(shown(baseP99));
        @SuppressWarnings("unchecked")
        List<Number> p99Points =
            (List<Number>)
                js.executeScript("return Chart.getChart('chart-trend-p99').data.datasets[0].data;");
        assertThat(p99Points.stream().map(Number::doubleValue).toList())
            .containsExactly(baseP99, p99);
        @SuppressWarnings("unchecked")
        List<Number> at =
            (List<Number>)
                js.executeScript(
                    "const c = Chart.getChart('chart-trend-p99'); const p ="
                        + " c.getDatasetMeta(0).data[0]; const r ="
                        + " c.canvas.getBoundingClientRect(); return [p.x - r.width / 2, p.y -"
                        + " r.height / 2];");
        new Actions(driver)
            .moveToElement(
                driver.findElement(By.id("chart-trend-p99")),
                at.get(0).intValue(),
                at.get(1).intValue())
            .click()
            .perform();
        wait.until(d -> d.getCurrentUrl().endsWith("#/runs/base-run"));
        wait.until(d -> d.findElements(By.id("baseline-badge")).size() == 1);
        assertThatThrownBy(() -> driver.switchTo().alert())
            .isInstanceOf(NoAlertPresentException.class);
      } finally {
        driver.quit();
      }
    }
  }
}
