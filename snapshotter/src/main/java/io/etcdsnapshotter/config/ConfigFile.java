package io.etcdsnapshotter.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The YAML config file as written by operators (and by the Salt-rendered ConfigMap); every field optional. */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class ConfigFile {
  public String dir;
  public Integer keep;
  public String dialTimeout;
  public String commandTimeout;
  public Map<String, Cluster> clusters = new LinkedHashMap<>();

  /** One cluster's entry; TLS and auth given here apply to that cluster only. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Cluster {
    public List<String> endpoints;
    public String cacert;
    public String cert;
    public String key;
    public String user;
    public String passwordFile;
  }
}
