package io.etcdsnapshotter.e2e.salt;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.process.Polling;
import io.etcdsnapshotter.e2e.process.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a reactor would see: every event whose tag starts with a prefix on a {@link SaltMinion}'s event bus, taken by
 * Salt's own event listener (the venv's Python with salt.utils.event), one JSON line each. Closing it stops it.
 */
final class SaltEvents implements AutoCloseable {
  private static final String LISTENER = """
      import json, sys
      import salt.config, salt.utils.event
      opts = salt.config.minion_config(sys.argv[1])
      with salt.utils.event.get_event("minion", sock_dir=opts["sock_dir"], opts=opts, listen=True) as bus:
          bus.connect_pub()
          print(json.dumps({"tag": "listening"}), flush=True)
          while True:
              event = bus.get_event(full=True, wait=1, tag=sys.argv[2])
              if event:
                  print(json.dumps(event, default=str), flush=True)
      """;

  private final Process process;
  private final Path out;

  private SaltEvents(Process process, Path out) {
    this.process = process;
    this.out = out;
  }

  /** Listens on the bus of the minion of {@code salt} (started) for tags starting with {@code prefix}. */
  static SaltEvents listen(SaltCall salt, String prefix) throws IOException {
    Path out = salt.path("salt/events.jsonl");
    Path python = Path.of(SaltCall.saltCallPath()).resolveSibling("python3");
    Process process = new ProcessBuilder(python.toString(), "-c", LISTENER,
        salt.path("salt/config/minion").toString(), prefix)
        .redirectOutput(out.toFile()).redirectError(salt.path("salt/events.log").toFile()).start();
    SaltEvents events = new SaltEvents(process, out);
    Polling.await("the event listener", Duration.ofSeconds(30),
        () -> events.lines().stream().anyMatch(e -> e.path("tag").asText().equals("listening")),
        () -> events.stderr(salt));
    return events;
  }

  /** The events received so far, in order. */
  List<JsonNode> received() {
    return lines().stream().filter(e -> !e.path("tag").asText().equals("listening")).toList();
  }

  private List<JsonNode> lines() {
    try {
      return Files.readAllLines(out).stream().filter(line -> !line.isBlank()).map(Json::parse).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private String stderr(SaltCall salt) {
    try {
      return "alive=" + process.isAlive() + " " + Files.readString(salt.path("salt/events.log"));
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  @Override
  public void close() {
    ProcessTree.kill(process);
  }
}
