package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.etcdsnapshotter.e2e.Repository;
import io.etcdsnapshotter.e2e.metrics.PrometheusTools;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The addon's monitoring: pillar etcd_snapshot:pushgateway reaches the jar's config, and the alert rules of
 * addons/etcd-snapshot/alerts/ under promtool, Prometheus's own rule checker and tester: the plain rule files (the
 * snapshots', and the journal's of continuous mode), and the PrometheusRule Salt renders from them with pillar
 * etcd_snapshot:prometheus_rule, each alert firing on synthetic series that should fire it and not on the ones that
 * should not.
 */
class MonitoringAddonTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path RULES = Repository.root().resolve("addons/etcd-snapshot/alerts/etcd-snapshotter.rules.yaml");
  private static final Path JOURNAL_RULES =
      Repository.root().resolve("addons/etcd-snapshot/alerts/etcd-snapshotter-journal.rules.yaml");
  private static final String ADDON_DIR = "etc/kubernetes/addons/etcd-snapshot";
  private static final long DEFAULT_MAX_AGE = 2 * 86400;

  @TempDir Path tmp;

  @Test
  void thePlainRuleFileIsValidAndEachAlertFiresOnlyWhenItShould() throws IOException {
    assertPromtoolPasses(RULES, DEFAULT_MAX_AGE);
  }

  @Test
  void theRenderedPrometheusRuleHoldsTheSameRulesWithThePillarsAge() throws Exception {
    PrometheusTools.promtool(); // skip before salt runs when promtool is missing
    // Hourly snapshots: too old after two hours.
    Path addon = render("etcd_snapshot_schedule: '17 * * * *', etcd_snapshot: {prometheus_rule: true,"
        + " prometheus_rule_labels: {release: kube-prometheus}}");
    JsonNode rule = YAML.readTree(addon.resolve("prometheusrule.yaml").toFile());
    assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(rule.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus");
    assertThat(rule.path("metadata").path("labels").path("addonmanager.kubernetes.io/mode").asText())
        .isEqualTo("Reconcile");
    // One definition: the spec is the rule file, but for the age.
    JsonNode plain = YAML.readTree(RULES.toFile());
    ObjectNode spec = (ObjectNode) rule.path("spec").deepCopy();
    ObjectNode tooOld = (ObjectNode) spec.path("groups").path(0).path("rules").path(0);
    String plainExpr = plain.path("groups").path(0).path("rules").path(0).path("expr").asText();
    assertThat(tooOld.path("expr").asText()).isEqualTo(plainExpr.replace("> 172800", "> 7200"));
    tooOld.put("expr", plainExpr);
    assertThat(spec).isEqualTo(plain);
    Path rendered = tmp.resolve("rendered.rules.yaml");
    YAML.writeValue(rendered.toFile(), rule.path("spec"));
    assertPromtoolPasses(rendered, 7200);
  }

  @Test
  void theJournalsRuleFileIsValidAndEachAlertFiresOnlyWhenItShould() throws IOException {
    assertJournalPromtoolPasses(JOURNAL_RULES);
  }

  @Test
  void inContinuousModeThePrometheusRuleAddsTheJournalsRulesAndTheAgeIsTwiceTheSnapshotInterval() throws Exception {
    PrometheusTools.promtool(); // skip before salt runs when promtool is missing
    Path addon = render("etcd_snapshot: {prometheus_rule: true, continuous: {enabled: true, snapshot_interval: 90m}}");
    JsonNode groups = YAML.readTree(addon.resolve("prometheusrule.yaml").toFile()).path("spec").path("groups");
    assertThat(groups).hasSize(2);
    assertThat(groups.path(1)).isEqualTo(YAML.readTree(JOURNAL_RULES.toFile()).path("groups").path(0));
    assertThat(groups.path(0).path("rules").path(0).path("expr").asText()).endsWith("> 10800");
    Path rendered = tmp.resolve("rendered.rules.yaml");
    YAML.writeValue(rendered.toFile(), YAML.createObjectNode().set("groups", groups));
    assertPromtoolPasses(rendered, 10800);
    assertJournalPromtoolPasses(rendered);
  }

  @Test
  void thePushgatewayPillarReachesTheJarsConfigWithTheClusterName() throws Exception {
    Path addon = render("cluster_name: prod-eu, etcd_snapshot: {pushgateway: 'http://pushgateway.monitoring:9091'}");
    JsonNode config = YAML.readTree(YAML.readTree(addon.resolve("configmap.yaml").toFile())
        .path("data").path("config.yaml").asText());
    assertThat(config.path("metrics").path("pushgateway").asText()).isEqualTo("http://pushgateway.monitoring:9091");
    assertThat(config.path("clusterName").asText()).isEqualTo("prod-eu");
  }

  @Test
  void withoutThePillarNoPrometheusRuleIsRendered() throws Exception {
    Path addon = render("etcd_snapshot: {pushgateway: ''}");
    assertThat(addon.resolve("cronjob.yaml")).exists();
    assertThat(addon.resolve("prometheusrule.yaml")).doesNotExist();
  }

  @Test
  void aScheduleWithoutAPlainPeriodNeedsTheAgeSaidOutright() throws Exception {
    SaltCall salt = new SaltCall(tmp, "master-1");
    StateRun run = apply(salt, "etcd_snapshot_schedule: '0 */6 * * *', etcd_snapshot: {prometheus_rule: true}");
    assertThat(run.succeeded()).isFalse();
    assertThat(run.toString()).contains("etcd_snapshot:snapshot_max_age_seconds is empty and etcd_snapshot_schedule"
        + " \"0 */6 * * *\" has no plain period");
    assertThat(salt.path(ADDON_DIR)).doesNotExist();
  }

  /** The addon Salt renders for a master pinned by hostname plus {@code pillar}; returns its directory. */
  private Path render(String pillar) throws Exception {
    SaltCall salt = new SaltCall(tmp, "master-1");
    StateRun run = apply(salt, pillar);
    assertThat(run.succeeded()).as("%s", run).isTrue();
    return salt.path(ADDON_DIR);
  }

  private static StateRun apply(SaltCall salt, String pillar) throws Exception {
    SaltCall.saltCallPath();
    return salt.apply("kubernetes.etcd.snapshot-addon", "{enable_etcd_snapshot: true, etcd_snapshot_hostname: m1, "
        + pillar + "}");
  }

  /**
   * promtool check rules (which also parses the annotations' templates), then promtool test rules on the rules with
   * the annotations left out: the tests assert when each alert fires and with which labels, not its prose.
   */
  private void assertPromtoolPasses(Path rules, long maxAgeSeconds) throws IOException {
    long minutes = maxAgeSeconds / 60;
    assertPromtoolPasses(rules, "etcd-snapshotter.rules.test.yaml", minutes - 60, minutes + 60);
  }

  private void assertJournalPromtoolPasses(Path rules) throws IOException {
    assertPromtoolPasses(rules, "etcd-snapshotter-journal.rules.test.yaml");
  }

  /** As above, with the promtool tests of {@code testFile} (in the test resources' alerts/) and its numbers. */
  private void assertPromtoolPasses(Path rules, String testFile, Object... numbers) throws IOException {
    ProcessResult check = PrometheusTools.promtool(tmp, "check", "rules", rules.toString());
    assertThat(check.exitCode()).as(check.toString()).isZero();
    JsonNode tested = YAML.readTree(rules.toFile());
    tested.path("groups").forEach(group -> group.path("rules").forEach(r -> ((ObjectNode) r).remove("annotations")));
    Path withoutAnnotations = tmp.resolve("tested.rules.yaml");
    YAML.writeValue(withoutAnnotations.toFile(), tested);
    String template;
    try (InputStream in = MonitoringAddonTest.class.getResourceAsStream("/alerts/" + testFile)) {
      template = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Object[] args = new Object[numbers.length + 1];
    args[0] = withoutAnnotations;
    System.arraycopy(numbers, 0, args, 1, numbers.length);
    Path tests = Files.writeString(tmp.resolve("rules.test.yaml"), String.format(template, args));
    ProcessResult test = PrometheusTools.promtool(tmp, "test", "rules", tests.toString());
    assertThat(test.exitCode()).as(test.toString()).isZero();
  }
}
